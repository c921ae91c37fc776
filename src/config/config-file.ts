/**
 * The commented config file `mlctl init` writes, generated from the option tables (so every key,
 * its description and its default come from the one place flags and validation come from, and
 * cannot drift). Keys the user chose are set; every other key is present as a comment showing
 * its default, to be uncommented.
 */
import { GLOBAL_CONFIG_OPTIONS } from '../options/global.js';
import { booleanKind, envName, longFlag, type OptionSpec, type OptionTable } from '../options/spec.js';
import { DEFAULT_TRIALS } from '../options/tune.js';
import { CONFIG_SECTIONS } from './schema.js';

export const CONFIG_FORMATS = ['yaml', 'js'] as const;
export type ConfigFormat = (typeof CONFIG_FORMATS)[number];

export const CONFIG_FILE_NAMES: Readonly<Record<ConfigFormat, string>> = { yaml: 'mlctl.config.yaml', js: 'mlctl.config.mjs' };

export interface ConfigFileValues {
  registry: string;
  model?: string;
}

/** Example thresholds for the gates (they have no default: no gate unless asked). */
const GATE_EXAMPLES: Record<string, number> = { minAccuracy: 0.9, minF1: 0.9, maxRmse: 50, maxMae: 40, minR2: 0.4 };

interface Section {
  key: string | null;
  title: string;
  table: OptionTable;
  set: Record<string, unknown>;
}

export function renderConfigFile(format: ConfigFormat, values: ConfigFileValues): string {
  const sections: Section[] = [
    {
      key: null,
      title: 'Project settings',
      table: GLOBAL_CONFIG_OPTIONS,
      set: { registry: values.registry, ...(values.model ? { model: values.model } : {}) },
    },
    ...Object.entries(CONFIG_SECTIONS).map(([key, { title, table }]) => ({ key, title, table, set: {} })),
  ];
  return format === 'yaml' ? renderYaml(sections) : renderJs(sections);
}

const HEADER = [
  'mlctl configuration, written by "mlctl init".',
  'Settings resolve as: flags > MLCTL_* environment variables > this file > built-in defaults.',
  'Paths are relative to this file. Uncomment a line to change a default; see "Configuration" in',
  "mlctl's README. An unknown key or a wrong value is an error naming the key, so typos never pass silently.",
];

function describe(spec: OptionSpec<unknown>): string {
  const flag = `--${longFlag(spec.flags)}`;
  return `${spec.description} (${flag}${spec.env ? `, ${envName(spec.flags)}` : ''})`;
}

function exampleOf(key: string, spec: OptionSpec<unknown>): unknown {
  if (spec.default !== undefined) return spec.default;
  if (key in GATE_EXAMPLES) return GATE_EXAMPLES[key];
  if (key === 'folds') return 5;
  if (spec.kind.choices) return spec.kind.choices[0];
  if (spec.kind === booleanKind) return true;
  if (key === 'model') return 'iris';
  if (key === 'templates') return './ml-templates';
  // serve: a token belongs in MLCTL_TOKEN or a secret store rather than a committed file
  if (key === 'token') return 'change-me';
  if (key === 'cors') return 'https://app.example.com';
  if (key === 'grpcPort') return 9001;
  // tune: a budget, a space file and a thread count have no fixed default
  if (key === 'trials') return DEFAULT_TRIALS;
  if (key === 'timeBudget') return '10m';
  if (key === 'space') return './search-space.json';
  if (key === 'parallel') return 2;
  return undefined;
}

function entries(section: Section): { key: string; spec: OptionSpec<unknown>; value: unknown; active: boolean }[] {
  return Object.entries(section.table)
    .filter(([, spec]) => spec.config !== false)
    .map(([key, spec]) => {
      const active = key in section.set;
      return { key, spec, value: active ? section.set[key] : exampleOf(key, spec), active };
    })
    .filter((e) => e.value !== undefined);
}

function yamlValue(v: unknown): string {
  if (typeof v === 'string')
    return /^[A-Za-z0-9_./@+-]+$/.test(v) && !/^(true|false|null|yes|no|on|off|~)$/i.test(v) ? v : JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(yamlValue).join(', ')}]`;
  return JSON.stringify(v);
}

function renderYaml(sections: Section[]): string {
  const out = HEADER.map((l) => `# ${l}`);
  for (const section of sections) {
    const list = entries(section);
    const anyActive = list.some((e) => e.active);
    out.push('', `# ${section.title}`);
    const indent = section.key ? '  ' : '';
    if (section.key) out.push(anyActive ? `${section.key}:` : `# ${section.key}:`);
    // a section without a key set is commented out whole: removing each line's leading "# " restores it
    const lead = section.key && !anyActive ? '# ' : '';
    for (const e of list) {
      out.push(`${lead}${indent}# ${describe(e.spec)}`);
      const line = `${e.key}: ${yamlValue(e.value)}`;
      out.push(e.active ? `${indent}${line}` : lead ? `${lead}${indent}${line}` : `${indent}# ${line}`);
    }
  }
  return `${out.join('\n')}\n`;
}

function jsValue(v: unknown): string {
  return Array.isArray(v) ? `[${v.map((x) => JSON.stringify(x)).join(', ')}]` : JSON.stringify(v);
}

function renderJs(sections: Section[]): string {
  const out = HEADER.map((l) => `// ${l}`);
  out.push('', "/** @type {import('mlctl').MlctlConfig} */", 'export default {');
  for (const [i, section] of sections.entries()) {
    const list = entries(section);
    const indent = section.key ? '    ' : '  ';
    out.push(...(i > 0 ? [''] : []), `  // ${section.title}`);
    if (section.key) out.push(`  ${section.key}: {`);
    for (const e of list) {
      out.push(`${indent}// ${describe(e.spec)}`);
      const line = `${e.key}: ${jsValue(e.value)},`;
      out.push(e.active ? `${indent}${line}` : `${indent}// ${line}`);
    }
    if (section.key) out.push('  },');
  }
  out.push('};');
  return `${out.join('\n')}\n`;
}
