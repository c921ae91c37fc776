/**
 * The folds of a stratified k-fold cross-validation over some rows of a table, shared by
 * `train --folds` (all rows) and `tune` (the training rows only): every row is in exactly one
 * fold's test part; each fold's other rows are split again into training and validation (for
 * early stopping), and the fold's signature (normalisation, vocabularies) is fitted on its
 * training rows only, so nothing of the fold's test rows leaks into what scores them.
 */
import type { Schema } from '../dataset/infer-schema.js';
import type { Table } from '../dataset/read-table.js';
import { encodeFeatures, encodeTargets, fitSignature, type Signature } from '../dataset/signature.js';
import { splitDataset, stratifiedKFold } from '../dataset/split.js';
import type { EncodedSplit } from './fit-mlp.js';

/** Table row indices of one fold's parts. */
export interface FoldRows {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

/** One fold, encoded with its own signature. */
export interface FoldData {
  signature: Signature;
  train: EncodedSplit;
  validation: EncodedSplit;
  test: EncodedSplit;
  rows: FoldRows;
}

export interface PlanFoldsOptions {
  /** the table rows the folds cover */
  rows: ArrayLike<number>;
  /** class index of each of `rows` (classification: the folds are stratified); null for regression */
  labels: Int32Array | null;
  folds: number;
  seed: number;
  /** share of each fold's non-test rows held out for validation (capped at 0.5) */
  validationShare: number;
  classNames?: readonly string[];
}

/** Which table rows each fold trains, validates and tests on (no encoding yet). */
export function planFolds(options: PlanFoldsOptions): FoldRows[] {
  const { rows, labels, folds: k, seed } = options;
  const folds = stratifiedKFold(labels, rows.length, k, seed);
  return folds.map((fold, f) => {
    // carve the validation part (for early stopping) out of this fold's training rows
    const inner = splitDataset({
      labels: labels ? Int32Array.from(fold.train, (p) => labels[p]) : null,
      n: fold.train.length,
      testFraction: 0,
      validationFraction: Math.min(options.validationShare, 0.5),
      seed: seed + f + 1,
      classNames: options.classNames,
    });
    const toTable = (positions: ArrayLike<number>): Int32Array => Int32Array.from(positions, (p) => rows[p]);
    return {
      train: toTable(Array.from(inner.train, (i) => fold.train[i])),
      validation: toTable(Array.from(inner.validation, (i) => fold.train[i])),
      test: toTable(fold.test),
    };
  });
}

/** Fit the fold's signature on its training rows and encode its three parts. */
export function encodeFold(table: Table, schema: Schema, rows: FoldRows, fit: { maxCategories?: number } = {}): FoldData {
  const targetIndex = schema.target.index;
  const signature = fitSignature(
    schema,
    Array.from(rows.train, (r) => table.rows[r]),
    fit,
  );
  const encode = (idx: Int32Array): EncodedSplit => ({
    x: encodeFeatures(signature, table, { indices: idx, unknownCategory: 'ignore' }),
    y: encodeTargets(
      signature,
      Array.from(idx, (r) => table.rows[r][targetIndex]),
    ),
    n: idx.length,
  });
  return { signature, train: encode(rows.train), validation: encode(rows.validation), test: encode(rows.test), rows };
}
