/**
 * Seeded generators of the messy tables real users bring (spreadsheet and database exports), as
 * CSV text: the same seed always gives the same bytes. Used by the end-to-end tests of the data
 * items, and to make the public-style table of issue 7 (2000 rows, 300 cities, semicolons).
 */
import { createRng } from '../../src/random.js';

const FIRST = [
  'Anna',
  'Ben',
  'Chloé',
  'David',
  'Emma',
  'Felix',
  'Greta',
  'Hugo',
  'Ines',
  'Jonas',
  'Karin',
  'Lena',
  'Marco',
  'Nora',
  'Omar',
  'Paula',
  'Quentin',
  'Rosa',
  'Sven',
  'Tara',
  'Umut',
  'Vera',
  'Wim',
  'Yara',
  'Zoë',
];
const LAST = [
  'Müller',
  'Schmidt',
  'Dubois',
  'Rossi',
  'García',
  'Novak',
  'Jansen',
  'Silva',
  'Kowalski',
  'Berg',
  'Costa',
  'Laine',
  'Weber',
  'Moreau',
  'Fischer',
  'Hansen',
  'Nowak',
  'Ricci',
  'Lopez',
  'Meyer',
];
const WORDS = [
  'slow',
  'delivery',
  'great',
  'support',
  'price',
  'too',
  'high',
  'app',
  'crashes',
  'love',
  'it',
  'billing',
  'issue',
  'fast',
  'friendly',
  'contract',
  'renewal',
  'called',
  'twice',
  'no',
  'answer',
];

export interface MessyCustomersOptions {
  rows: number;
  /** distinct cities (default 300) */
  cities?: number;
  /** ';' writes decimal commas too, as European spreadsheets do (default ';') */
  delimiter?: string;
  seed?: number;
  /** rows of a class "fraud" (a rare class; default 2) */
  rare?: number;
}

export interface MessyTable {
  text: string;
  columns: string[];
  /** the generated rows, as written (strings) */
  rows: string[][];
}

/**
 * Customers: an ID, a row number, a name, a signup date and a last-login date-time, a
 * `cities`-level city column (a few misspelt), age with missing tokens, monthly spend, a plan with
 * inconsistent case, support calls, a free-text comment, and the target `status`
 * (active / churned, and a rare "fraud"). Churn depends on plan, support calls, spend, tenure and
 * the weekday of the last login; the city matters only through a few big cities.
 */
export function messyCustomers(options: MessyCustomersOptions): MessyTable {
  const { rows: n, cities: cityCount = 300, delimiter = ';', seed = 7, rare = 2 } = options;
  const rng = createRng(seed);
  const decimal = delimiter === ';' ? ',' : '.';
  const cities = Array.from({ length: cityCount }, (_, i) => `City ${String(i + 1).padStart(3, '0')}`);
  // a few real-looking big cities first, Zipf-like frequencies
  cities.splice(0, 4, 'Paris', 'Berlin', 'Madrid', 'Roma');
  const weights = cities.map((_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const pickCity = (): string => {
    let u = rng.float() * total;
    for (let i = 0; i < cities.length; i++) {
      u -= weights[i];
      if (u <= 0) return cities[i];
    }
    return cities[cities.length - 1];
  };
  const typos: Record<string, string> = { Paris: 'Pariss', Berlin: 'Berln', Madrid: 'madrid' };
  const missing = ['', 'NA', 'n/a', 'None', '-', 'null'];

  const columns = [
    'customer_id',
    'row',
    'name',
    'signup_date',
    'last_login',
    'city',
    'age',
    'monthly_spend',
    'plan',
    'support_calls',
    'comment',
    'status',
  ];
  const rows: string[][] = [];
  const start = Date.UTC(2019, 0, 1);
  for (let i = 0; i < n; i++) {
    const id = `C-${String(100000 + i * 7 + rng.int(7)).padStart(7, '0')}`;
    const name = `${FIRST[rng.int(FIRST.length)]} ${String.fromCharCode(65 + rng.int(26))}. ${LAST[rng.int(LAST.length)]}`;
    const signupDays = rng.int(5 * 365);
    const signup = new Date(start + signupDays * 86_400_000);
    const loginDays = signupDays + rng.int(5 * 365 - signupDays + 30);
    const login = new Date(start + loginDays * 86_400_000 + rng.int(24) * 3_600_000 + rng.int(60) * 60_000);
    // every city at least once (the rare ones in the first rows), then Zipf-like
    let city = i < cityCount ? cities[cityCount - 1 - i] : pickCity();
    if (typos[city] && rng.float() < 0.03) city = typos[city];
    const age = 18 + rng.int(60);
    const planIndex = rng.int(3);
    let plan = ['basic', 'pro', 'enterprise'][planIndex];
    if (rng.float() < 0.05) plan = plan === 'pro' ? 'Pro' : plan.toUpperCase();
    const spend = [19, 49, 199][planIndex] * (0.7 + 0.6 * rng.float());
    const calls = Math.min(12, Math.floor(-Math.log(1 - rng.float()) * 2));
    const weekend = login.getUTCDay() === 0 || login.getUTCDay() === 6;
    const tenureYears = (loginDays - signupDays) / 365;
    const bigCity = city === 'Paris' || city === 'Berlin' ? 0.6 : 0;
    const z = -1.2 + 0.55 * calls - 0.6 * planIndex - 0.5 * tenureYears + (weekend ? 1.2 : 0) + spend / 400 - bigCity + rng.normal() * 0.4;
    const status = 1 / (1 + Math.exp(-z)) > 0.5 ? 'churned' : 'active';
    const words = Array.from({ length: 3 + rng.int(5) }, () => WORDS[rng.int(WORDS.length)]).join(' ');
    rows.push([
      id,
      String(i + 1),
      name,
      signup.toISOString().slice(0, 10),
      login.toISOString().slice(0, 16),
      city,
      rng.float() < 0.06 ? missing[rng.int(missing.length)] : String(age),
      spend.toFixed(2).replace('.', decimal),
      plan,
      String(calls),
      rng.float() < 0.1 ? '' : `${words} #${i}`,
      status,
    ]);
  }
  for (let k = 0; k < rare && k < n; k++) rows[(k * 97 + 13) % n][11] = 'fraud';
  return { text: toCsv(columns, rows, delimiter), columns, rows };
}

/** CSV text with minimal quoting. */
export function toCsv(columns: string[], rows: string[][], delimiter = ','): string {
  const cell = (v: string) => (v.includes(delimiter) || v.includes('"') || v.includes('\n') ? `"${v.replace(/"/g, '""')}"` : v);
  return [columns, ...rows].map((r) => r.map(cell).join(delimiter)).join('\n') + '\n';
}
