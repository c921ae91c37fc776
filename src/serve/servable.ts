/**
 * A Servable is one model version loaded, checked and warmed up, ready to answer requests: what
 * the routes need and nothing about how it was loaded (TF Serving's `Loader::servable()`).
 * The ServableManager hands them out through handles; tests use fakes of this interface.
 */
import type { Signature } from '../dataset/signature.js';
import type { VersionRecord } from '../registry/version-record.js';
import type { AttributionSet } from '../lifecycle/explain/attributions.js';

/** One file of the version, held in memory for the model-file routes (immutable, so cacheable). */
export interface ServableFile {
  /** path relative to the version directory, e.g. "weights.bin" */
  path: string;
  contentType: string;
  body: Buffer;
  /** gzip of body; null when gzip does not make it smaller */
  gzip: Buffer | null;
  /** strong ETag, quoted */
  etag: string;
}

export interface FastPathInfo {
  /** the plain-JS forward pass answers requests (else TF.js) */
  enabled: boolean;
  /** why it is off, or how it was checked */
  reason: string;
  /** largest |plain − TF.js| over the check rows (null when it was not compiled) */
  maxAbsDiff: number | null;
  checkRows: number;
  /** where the check rows came from */
  checkSource: 'test-split' | 'synthetic' | null;
}

export interface BatchingInfo {
  /** concurrent requests are coalesced into one forward pass */
  enabled: boolean;
  /** measured at load: microseconds per row for a 1-row call and within a full batch */
  singleRowUs: number;
  batchedRowUs: number;
  reason: string;
}

export interface Servable {
  readonly model: string;
  readonly version: number;
  readonly record: VersionRecord;
  /** preprocessing of rows; null for imported versions (raw tensors in the model's input shape) */
  readonly signature: Signature | null;
  /** shape of one input row without the batch dimension, e.g. [4] or [28, 28, 1] */
  readonly inputShape: number[];
  /** numbers per input row (product of inputShape) */
  readonly inputSize: number;
  /** shape of one output row without the batch dimension */
  readonly outputShape: number[];
  readonly outputSize: number;
  /** the TF.js backend the version was loaded on */
  readonly backend: string;
  readonly fastPath: FastPathInfo;
  readonly batching: BatchingInfo;
  /** files by relative path (model.json, weight shards) */
  readonly files: ReadonlyMap<string, ServableFile>;
  /** model.json with its weight paths pointing at `versions/N/…`, for the unversioned file URL */
  readonly unversionedModelJson: ServableFile | null;
  /** encoded rows (n × inputSize, row-major) → outputs (n × outputSize); synchronous */
  forward(x: Float32Array, n: number): Float32Array;
  /**
   * per-feature attributions of encoded rows by integrated gradients from the training means (raw
   * columns; per input element x1…xn for a version without a signature); synchronous, TF.js
   */
  explain(x: Float32Array, n: number): AttributionSet;
  dispose(): void;
}

/** Loads one version of a model as a Servable (the ServableManager's only way to get one). */
export type ServableLoader = (model: string, version: number) => Promise<Servable>;
