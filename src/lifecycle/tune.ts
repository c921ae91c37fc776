/**
 * `mlctl tune`: search the space for the settings that score best in cross-validation on the
 * training rows, train them on the whole training split, and publish the result as a new version
 * whose record holds the search (space, every trial with its scores per rung, budget, winner).
 *
 * 1. Data: the same split as `train` (same seed → same test rows), except that no validation
 *    split is carved out of the training rows: the search's folds hold out their own.
 * 2. Search (tune/search.ts): random trials with successive halving, each scored by stratified
 *    k-fold cross-validation on the training rows only. The test rows are not in any fold.
 * 3. Final: the winner (or with --ensemble k the k best trials) trained on every training row
 *    for its cross-validated best number of epochs (the mean over its folds, no early stopping),
 *    then scored once on the test split and published. The version's `hyperparameters` are the
 *    winner's, so `mlctl train` with them (validationSplit 0, patience 0) gives the same weights.
 * Ctrl-C (the abort signal) stops everything and publishes nothing: INTERRUPTED names the best
 * trial so far.
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { MlctlError } from './../errors.js';
import { classLabels } from '../dataset/signature.js';
import type { ModelHandle, MlpSpec } from '../engine/model-handle.js';
import { findSpaceProblem, HALVING_ETA, mergeSpace, rungEpochs, type SearchSpace } from '../options/search-space.js';
import { DEFAULT_TRIALS } from '../options/tune.js';
import { deriveSeed } from '../random.js';
import type { RegistryStore, StudyStore } from '../registry/store.js';
import type { SearchMember, SearchSection, TrialRecord, VersionRecord } from '../registry/version-record.js';
import { TUNE_METRIC_INFO, orList, TUNE_METRICS, type BackendChoice, type TuneMetric } from '../vocabulary.js';
import { encodeFold, planFolds } from './cv-folds.js';
import { summarizeMetrics } from './metrics.js';
import { tuneRecord } from './records.js';
import { displayPath } from './templates.js';
import { loadTrainingData, originSections, type TrainingDataOptions } from './training-data.js';
import { encodeTestSplit } from './test-split.js';
import type { TrainSettings } from './train-settings.js';
import { roundLog } from './train.js';
import { describeScore, describeSettings } from './tune/describe.js';
import { createExecutor, type ExecutorFactory, type TrialExecutor } from './tune/executor.js';
import { fitSettings, SEED_PURPOSE } from './tune/sample.js';
import { runSearch, type SearchOutcome, type SearchSnapshot } from './tune/search.js';
import {
  createStudyExecutor,
  dataFingerprint,
  DEFAULT_LEASE_MS,
  snapshotWriter,
  startHeartbeat,
  waitForPublishTurn,
  workerName,
} from './tune/study.js';
import { JobCancelled, type FinalOutcome, type TrialData } from './tune/trial-job.js';

export interface TuneOptions extends TrainingDataOptions {
  /** trials to run (default 20 when there is no time budget either) */
  trials?: number;
  /** stop the search after this many milliseconds */
  timeBudgetMs?: number;
  /** cross-validation folds (default 5) */
  folds?: number;
  /** default accuracy (classification) or r2 (regression) */
  metric?: TuneMetric;
  /** a space file's path (relative to cwd), or the space itself; keys left out keep the built-in space's */
  space?: string | Partial<SearchSpace>;
  /** worker threads (default: the number of cores); 1 runs the trials on this thread */
  parallel?: number;
  /** publish one model averaging the k best trials (default 1: the best alone) */
  ensemble?: number;
  backend?: BackendChoice;
  /** aborting stops the search; nothing is published (INTERRUPTED) */
  signal?: AbortSignal;
  onProgress?: (event: TuneProgress) => void;
  /** where trials run (default: worker threads, or this thread for parallel 1); tests wrap it to watch the jobs */
  executorFactory?: ExecutorFactory;
  /**
   * share the search with other workers through the (PostgreSQL) registry: create the study of
   * this name, or join it when its settings and data match (see tune/study.ts)
   */
  study?: string;
  /** join an existing study: its search settings are taken from it (flags must agree) */
  join?: string;
  /** a study worker that stops renewing its claim for this long loses its task (default 60 s) */
  leaseMs?: number;
}

export type TuneProgress =
  | { phase: 'data'; rows: number; columns: number; warnings: string[]; trainingRows: number; testRows: number }
  | {
      phase: 'start';
      backend: string;
      parallel: number;
      folds: number;
      metric: TuneMetric;
      rungs: number[];
      trials: number | null;
      timeBudgetMs: number | null;
    }
  | { phase: 'search'; snapshot: SearchSnapshot }
  | { phase: 'study'; name: string; worker: string; created: boolean }
  | { phase: 'final'; members: number; epochs: number[] }
  | { phase: 'publish' };

export interface TuneResult {
  record: VersionRecord;
  warnings: string[];
  /** with --study: this worker's part */
  study?: { name: string; worker: string; created: boolean; published: boolean; tasksRun: number };
}

/** A study's name: as a model name (letters, digits, ".", "_", "-"). */
function checkStudyName(flag: string, name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name)) {
    throw usage(
      `${flag} "${name}" is not a valid study name: use letters, digits, ".", "_" and "-".`,
      'For example: --study iris-search-1.',
    );
  }
}

/** The search settings a study records and every worker must agree on. */
interface StudySettings {
  trials: number;
  folds: number;
  metric: TuneMetric;
  ensemble: number;
  eta: number;
  space: SearchSpace;
  seed: number;
  testSplit: number;
  validationSplit: number;
  maxCategories: number;
  target: string;
  task: string;
}

/** --study/--join: the store, and with --join the study's settings under the flags. */
async function prepareStudy(options: TuneOptions): Promise<{ options: TuneOptions; store: StudyStore | null; name: string | null }> {
  if (options.study === undefined && options.join === undefined) return { options, store: null, name: null };
  if (options.study !== undefined && options.join !== undefined && options.study !== options.join) {
    throw usage(`--study ${options.study} and --join ${options.join} name two studies.`, 'Give one of them.');
  }
  const flag = options.join !== undefined ? '--join' : '--study';
  const name = (options.join ?? options.study) as string;
  checkStudyName(flag, name);
  if (!options.registry.studies) {
    throw usage(
      `${flag} needs a PostgreSQL registry that every worker shares; ${options.registry.location} is a folder.`,
      'Pass --registry postgres://user@host:5432/db (the same on every machine), or leave out --study to tune on this machine alone.',
    );
  }
  if (options.timeBudgetMs !== undefined) {
    throw usage(
      `A study's budget is --trials, not --time-budget: workers that start at different times could not agree on when a time budget ends.`,
      'Pass --trials N (the same on every worker).',
    );
  }
  checkLease(options.leaseMs);
  const store = options.registry.studies();
  const info = await store.readStudy(name);
  // the model is named after the data file unless --name says otherwise: another machine's copy may have another file name
  if (options.join === undefined)
    return { options: info && options.name === undefined ? { ...options, name: info.model } : options, store, name };
  if (!info) {
    const known = await store.listStudies();
    throw new MlctlError('NOT_FOUND', `Study "${name}" not found in ${options.registry.location}.`, {
      hint: known.length > 0 ? `Studies there: ${known.join(', ')}.` : `Start it with --study ${name} instead of --join.`,
    });
  }
  const st = info.settings as unknown as StudySettings;
  return {
    store,
    name,
    options: {
      ...options,
      name: options.name ?? info.model,
      target: options.target ?? st.target,
      trials: options.trials ?? st.trials,
      folds: options.folds ?? st.folds,
      metric: options.metric ?? st.metric,
      ensemble: options.ensemble ?? st.ensemble,
      space: options.space ?? st.space,
      settings: {
        seed: st.seed,
        testSplit: st.testSplit,
        validationSplit: st.validationSplit,
        maxCategories: st.maxCategories,
        ...options.settings,
      },
    },
  };
}

function checkLease(leaseMs: number | undefined): void {
  if (leaseMs !== undefined && !(Number.isFinite(leaseMs) && leaseMs >= 100)) {
    throw usage(`--lease must be at least 100 ms, got ${leaseMs} ms.`, 'For example: --lease 60s.');
  }
}

const usage = (message: string, hint?: string): MlctlError => new MlctlError('USAGE', message, hint ? { hint } : {});

function checkCount(flag: string, value: number | undefined, min: number): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= min)) {
    throw usage(`${flag} must be an integer of at least ${min}, got ${value}.`);
  }
}

/** The space: the built-in one, with a file's (or an object's) keys in place of its own; problems name the key. */
export async function loadSearchSpace(space: TuneOptions['space'], cwd: string): Promise<SearchSpace> {
  if (space === undefined) return mergeSpace({});
  let raw: unknown = space;
  let where = 'The search space';
  if (typeof space === 'string') {
    const file = path.resolve(cwd, space);
    where = displayPath(file);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw usage(
        code === 'ENOENT' ? `Space file ${where} not found.` : `Cannot read space file ${where}: ${(e as Error).message}.`,
        'Pass the path of a JSON file (see "Search space" in the README), or leave out --space for the built-in space.',
      );
    }
    if (text.trim() === '')
      throw usage(
        `Space file ${where} is empty.`,
        'Write a JSON object such as {"learningRate": {"min": 0.001, "max": 0.1, "log": true}}.',
      );
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw usage(`Space file ${where} is not valid JSON: ${(e as Error).message}.`, 'Check the brackets, quotes and commas.');
    }
  }
  const problem = findSpaceProblem(raw, { partial: true });
  if (problem) {
    throw usage(
      problem.key === '(root)' ? `${where} ${problem.problem}.` : `${where}: "${problem.key}" ${problem.problem}.`,
      'See "Search space" in the README for the format.',
    );
  }
  return mergeSpace(raw as Partial<SearchSpace>);
}

/** The epochs a trial's final model trains: the mean best epoch of its folds at its last rung. */
function finalEpochs(t: TrialRecord): number {
  const last = t.rungs[t.rungs.length - 1];
  return Math.max(1, Math.round(last.bestEpochs.reduce((a, b) => a + b, 0) / last.bestEpochs.length));
}

function interrupted(outcome: SearchOutcome | null, metric: TuneMetric, phase: string): MlctlError {
  const ranked = outcome ? outcome.leaderboard.map((n) => outcome.trials[n - 1]) : [];
  const best = ranked.find((t) => t.rungs.length > 0 && t.status !== 'diverged') ?? null;
  const run = outcome?.trials.filter((t) => t.rungs.length > 0).length ?? 0;
  return new MlctlError('INTERRUPTED', `Stopped ${phase}; nothing was published.`, {
    hint: best
      ? `Best so far (${run} trial${run === 1 ? '' : 's'} scored): trial ${best.trial}, ${describeScore(best, metric)}: ${describeSettings(best.settings)}.`
      : 'No trial had finished a rung.',
    details: { trialsScored: run, best, leaderboard: ranked.slice(0, 10) },
  });
}

export async function tune(given: TuneOptions): Promise<TuneResult> {
  const started = Date.now();
  const { options, store: studies, name: studyName } = await prepareStudy(given);
  const cwd = options.cwd ?? process.cwd();
  // ---- the options first: a bad flag or space file fails before any data is read
  const folds = options.folds ?? 5;
  checkCount('--folds', folds, 2);
  checkCount('--trials', options.trials, 1);
  checkCount('--ensemble', options.ensemble, 1);
  if (options.parallel !== undefined && !(Number.isSafeInteger(options.parallel) && options.parallel >= 1)) {
    throw usage(`--parallel must be at least 1 (worker threads), got ${options.parallel}.`, 'Leave it out to use one thread per core.');
  }
  if (options.timeBudgetMs !== undefined && !(Number.isFinite(options.timeBudgetMs) && options.timeBudgetMs > 0)) {
    throw usage(`--time-budget must be more than 0, got ${options.timeBudgetMs} ms.`, 'For example: --time-budget 10m.');
  }
  if (options.metric !== undefined && !(TUNE_METRICS as readonly string[]).includes(options.metric)) {
    throw usage(`--metric must be one of ${orList(TUNE_METRICS)}, got "${options.metric}".`);
  }
  const trials = options.trials ?? (options.timeBudgetMs === undefined ? DEFAULT_TRIALS : undefined);
  const ensemble = options.ensemble ?? 1;
  if (trials !== undefined && ensemble > trials) {
    throw usage(`--ensemble ${ensemble} needs at least ${ensemble} trials, got ${trials}.`, `Pass --trials ${ensemble} or more.`);
  }
  const parallel = options.parallel ?? Math.max(1, availableParallelism());
  const space = await loadSearchSpace(options.space, cwd);

  // ---- the data: train's split (same seed → same test rows), no validation carved out
  const training = await loadTrainingData({ ...options, cwd }, { verb: 'Tuning', command: 'tune', validationFraction: 0 });
  const { source, name, table, prepared, warnings, settings: base } = training;
  const sig = prepared.signature;
  const task = sig.target.task;
  const metric = options.metric ?? (task === 'classification' ? 'accuracy' : 'r2');
  if (TUNE_METRIC_INFO[metric].task !== task) {
    const fitting = TUNE_METRICS.filter((m) => TUNE_METRIC_INFO[m].task === task);
    throw usage(`--metric ${metric} does not fit a ${task} target ("${sig.target.name}").`, `Use ${orList(fitting)}.`);
  }
  options.onProgress?.({
    phase: 'data',
    rows: table.rows.length,
    columns: table.columns.length,
    warnings,
    trainingRows: prepared.n.train,
    testRows: prepared.n.test,
  });

  // ---- the folds: stratified k-fold over the training rows only
  const classification = task === 'classification';
  const validationShare = base.validationSplit / (1 - base.testSplit);
  const plans = planFolds({
    rows: prepared.indices.train,
    labels: classification ? (prepared.y.train as Int32Array) : null,
    folds,
    seed: base.seed,
    validationShare,
    classNames: classification ? classLabels(sig) : undefined,
  });
  const data: TrialData = {
    folds: plans.map((p) => encodeFold(table, prepared.schema, p, { maxCategories: base.maxCategories })),
    full: { signature: sig, train: { x: prepared.x.train, y: prepared.y.train, n: prepared.n.train } },
  };

  // ---- the study: create it, or join it when everything matches (the data included)
  const worker = workerName();
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  let heartbeat: { stop(): void } | null = null;
  let created = false;
  if (studies && studyName) {
    const studySettings: StudySettings = {
      trials: trials as number,
      folds,
      metric,
      ensemble,
      eta: HALVING_ETA,
      space,
      seed: base.seed,
      testSplit: base.testSplit,
      validationSplit: base.validationSplit,
      maxCategories: base.maxCategories,
      target: sig.target.name,
      task,
    };
    const opened = await studies.openStudy(
      {
        name: studyName,
        model: name,
        settings: studySettings as unknown as Record<string, unknown>,
        data: { path: displayPath(source.dataPath), sha256: table.source.sha256, rows: table.rows.length },
        fingerprint: dataFingerprint(data),
      },
      { id: worker, parallel },
    );
    created = opened.created;
    heartbeat = startHeartbeat(studies, studyName, worker, leaseMs);
    options.onProgress?.({ phase: 'study', name: studyName, worker, created });
  }
  try {
    return await searchAndPublish();
  } finally {
    heartbeat?.stop();
    if (studies && studyName) await studies.heartbeat(studyName, worker, leaseMs, 'done').catch(() => undefined);
  }

  async function searchAndPublish(): Promise<TuneResult> {
    const backendChoice = options.backend ?? 'auto';
    const { activateBackend } = await import('../engine/model-handle.js');
    const { backend, tfjsVersion } = await activateBackend(backendChoice);
    if (options.signal?.aborted) throw interrupted(null, metric, 'before the search started');

    const local: TrialExecutor = (options.executorFactory ?? createExecutor)({ parallel, data, backend: backendChoice });
    const shared = studies && studyName ? createStudyExecutor(local, { store: studies, study: studyName, worker, leaseMs }) : null;
    const executor: TrialExecutor = shared ?? local;
    const snapshots = studies && studyName ? snapshotWriter(studies, studyName) : null;
    let lastSnapshot: SearchSnapshot | null = null;
    let outcome: SearchOutcome;
    let members: { trial: TrialRecord; epochs: number; seed: number }[];
    let finals: FinalOutcome[];
    try {
      options.onProgress?.({
        phase: 'start',
        backend,
        parallel: executor.parallel,
        folds,
        metric,
        rungs: rungEpochs(space.epochs),
        trials: trials ?? null,
        timeBudgetMs: options.timeBudgetMs ?? null,
      });
      outcome = await runSearch({
        space,
        metric,
        folds,
        seed: base.seed,
        trials,
        timeBudgetMs: options.timeBudgetMs,
        keep: ensemble,
        executor,
        signal: options.signal,
        onProgress: (snapshot) => {
          lastSnapshot = snapshot;
          void snapshots?.write(snapshot);
          options.onProgress?.({ phase: 'search', snapshot });
        },
      });
      if (snapshots && lastSnapshot) await snapshots.write(lastSnapshot, true);
      if (outcome.stoppedBy === 'interrupted') throw interrupted(outcome, metric, 'during the search');
      const ranked = outcome.leaderboard.map((n) => outcome.trials[n - 1]).filter((t) => t.rungs.length > 0 && t.status !== 'diverged');
      if (ranked.length === 0) {
        if (outcome.stoppedBy === 'time') {
          const budget = formatMs(options.timeBudgetMs as number);
          throw usage(
            `The time budget (${budget}) ran out before any trial finished its first rung (${outcome.rungs[0]} epochs × ${folds} folds); nothing was published.`,
            'Give it more time (e.g. --time-budget 5m), or use fewer --folds or a smaller space (fewer epochs).',
          );
        }
        throw usage(
          'Every trial diverged (its loss became NaN or infinite); nothing was published.',
          'Lower the learning rates in the space.',
        );
      }
      if (ranked.length < ensemble) {
        warnings.push(
          `Only ${ranked.length} trial${ranked.length === 1 ? '' : 's'} finished a rung: the ensemble has ${ranked.length} member${ranked.length === 1 ? '' : 's'}, not ${ensemble}.`,
        );
      }
      // ---- a study: one worker publishes, the others report its version
      if (studies && studyName) {
        const turn = await waitForPublishTurn(studies, studyName, worker, leaseMs, options.signal).catch((e) => {
          if (e instanceof JobCancelled) throw interrupted(outcome, metric, 'while waiting for the winner to be published');
          throw e;
        });
        if (!turn.publish) {
          const record = await options.registry.readRecord(turn.published.model, turn.published.version);
          return {
            record,
            warnings,
            study: { name: studyName, worker, created, published: false, tasksRun: shared?.ranHere ?? 0 },
          };
        }
      }
      members = ranked.slice(0, ensemble).map((t, j) => ({
        trial: t,
        epochs: finalEpochs(t),
        // the winner trains with the tune seed, so `mlctl train` with the recorded hyperparameters reproduces it
        seed: j === 0 ? base.seed : deriveSeed(base.seed, SEED_PURPOSE.member, j + 1),
      }));

      // ---- final models on the whole training split (in parallel for an ensemble)
      options.onProgress?.({ phase: 'final', members: members.length, epochs: members.map((m) => m.epochs) });
      const onAbort = (): void => executor.cancelAll();
      options.signal?.addEventListener('abort', onAbort);
      try {
        if (options.signal?.aborted) throw new JobCancelled();
        finals = (await Promise.all(
          members.map((m, j) =>
            executor.run({
              kind: 'final',
              member: j + 1,
              trial: m.trial.trial,
              settings: m.trial.settings,
              epochs: m.epochs,
              seed: m.seed,
            }),
          ),
        )) as FinalOutcome[];
      } catch (e) {
        if (e instanceof JobCancelled) throw interrupted(outcome, metric, 'while training the final model');
        throw e;
      } finally {
        options.signal?.removeEventListener('abort', onAbort);
      }
    } finally {
      await executor.close();
    }

    // ---- the model: the winner's weights, or one functional model averaging the members
    const specOf = (m: (typeof members)[number]): MlpSpec => ({
      inputSize: sig.inputSize,
      outputSize: classification ? classLabels(sig).length : 1,
      task,
      hidden: m.trial.settings.hidden,
      activation: m.trial.settings.activation,
      dropout: m.trial.settings.dropout,
      l2: m.trial.settings.l2,
    });
    const engine = await import('../engine/model-handle.js');
    let handle: ModelHandle;
    if (members.length === 1) {
      handle = await engine.createMlp(specOf(members[0]), members[0].seed, backendChoice);
      handle.writeWeights(finals[0].weights);
    } else {
      handle = await engine.createEnsemble(
        members.map((m, j) => ({ spec: specOf(m), weights: finals[j].weights })),
        backendChoice,
      );
    }
    try {
      const { scoreSplit } = await import('./fit-mlp.js');
      const test = { x: prepared.x.test, y: prepared.y.test, n: prepared.n.test };
      const metrics = test.n > 0 ? scoreSplit(handle, sig, test) : null;
      if (!metrics) warnings.push('The test split is empty (--test-split 0): no test metrics were recorded.');
      if (options.signal?.aborted) throw interrupted(outcome, metric, 'before publishing');

      const member = (m: (typeof members)[number]): SearchMember => {
        const last = m.trial.rungs[m.trial.rungs.length - 1];
        return { trial: m.trial.trial, epochs: m.epochs, seed: m.seed, mean: last.mean, std: last.std };
      };
      const searchSection: SearchSection = {
        strategy: 'successive-halving',
        metric,
        higherIsBetter: TUNE_METRIC_INFO[metric].higherIsBetter,
        folds,
        rows: prepared.n.train,
        validationShare: Math.min(validationShare, 0.5),
        seed: base.seed,
        eta: outcome.eta,
        rungs: outcome.rungs,
        space,
        budget: {
          trials: trials ?? null,
          timeBudgetMs: options.timeBudgetMs ?? null,
          parallel: executor.parallel,
          stoppedBy: outcome.stoppedBy === 'time' ? 'time' : 'trials',
          elapsedMs: Math.round(outcome.elapsedMs),
        },
        trials: outcome.trials.map((t) => ({ ...t, ms: Math.round(t.ms), rungs: t.rungs.map((r) => ({ ...r, ms: Math.round(r.ms) })) })),
        leaderboard: outcome.leaderboard,
        winner: member(members[0]),
        ...(members.length > 1 ? { ensemble: members.map(member) } : {}),
        ...(studies && studyName ? { study: await studySection(studies, studyName, worker) } : {}),
      };
      const winner = members[0];
      const hyperparameters: TrainSettings = {
        ...fitSettings(winner.trial.settings, winner.epochs, 0, winner.seed),
        testSplit: base.testSplit,
        validationSplit: 0,
        maxCategories: base.maxCategories,
      };
      options.onProgress?.({ phase: 'publish' });
      const publish = (): ReturnType<RegistryStore['publishVersion']> =>
        options.registry.publishVersion(name, {
          writeFiles: (dir) => handle.save(dir),
          buildRecord: (version, files) =>
            tuneRecord(
              { model: name, version, files, tfjsVersion, backend, startedAt: started },
              {
                ...originSections(training, options.registry),
                hyperparameters,
                seed: base.seed,
                signature: sig,
                metrics: metrics ? summarizeMetrics(metrics) : undefined,
                split: {
                  train: prepared.n.train,
                  validation: 0,
                  test: prepared.n.test,
                  droppedRows: prepared.droppedRows,
                  droppedColumns: prepared.dropped,
                  testRows: encodeTestSplit(prepared.indices.test, table.rows.length),
                },
                history: {
                  epochsRun: finals[0].epochsRun,
                  bestEpoch: finals[0].epochsRun,
                  stoppedEarly: false,
                  epochs: finals[0].history.map(roundLog),
                },
                search: searchSection,
                warnings: warnings.length ? warnings : undefined,
              },
            ),
        });
      if (!studies || !studyName) return { record: (await publish()).record, warnings };
      let record: VersionRecord;
      try {
        record = (await publish()).record;
      } catch (e) {
        // the database refuses a second version of one study: a publisher whose lease ran out lost the race
        const info = await studies.readStudy(studyName);
        if (!info?.published) throw e;
        record = await options.registry.readRecord(info.published.model, info.published.version);
      }
      await studies.markPublished(studyName, worker, record.model, record.version);
      return {
        record,
        warnings,
        study: { name: studyName, worker, created, published: true, tasksRun: shared?.ranHere ?? 0 },
      };
    } finally {
      handle.dispose();
    }
  }
}

/** The record's `search.study`: the study and the workers that ran its trials. */
async function studySection(store: StudyStore, name: string, worker: string): Promise<NonNullable<SearchSection['study']>> {
  const progress = await store.progress(name);
  const workers = (progress?.workers ?? []).filter((w) => w.tasksDone > 0).map((w) => w.worker);
  return { name, workers, publishedBy: worker };
}

function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))} s`;
  return `${Number((ms / 60_000).toFixed(1))} min`;
}
