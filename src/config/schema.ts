/**
 * The config file's shape (cosmiconfig name "mlctl"). Strict: an unknown key is an error that
 * names the file and the key, so a typo never silently does nothing.
 */
import { z } from 'zod';

const backend = z.enum(['auto', 'node', 'wasm', 'cpu']);
const optimizer = z.enum(['sgd', 'momentum', 'adam', 'rmsprop']);
const positiveInt = z.number().int().positive();
const fraction = z.number().min(0).lt(1);

export const trainDefaultsSchema = z
  .object({
    epochs: positiveInt,
    batchSize: positiveInt,
    learningRate: z.number().positive(),
    decay: z.number().min(0),
    optimizer,
    hidden: z.array(positiveInt),
    activation: z.string(),
    dropout: fraction,
    l2: z.number().min(0),
    patience: z.number().int().min(0),
    seed: z.number().int().min(0),
    testSplit: fraction,
    validationSplit: fraction,
    folds: z.number().int().min(2),
    maxCategories: positiveInt,
  })
  .partial()
  .strict();

export const evaluateDefaultsSchema = z
  .object({
    minAccuracy: z.number().min(0).max(1),
    minF1: z.number().min(0).max(1),
    maxRmse: z.number().min(0),
    maxMae: z.number().min(0),
    minR2: z.number().max(1),
  })
  .partial()
  .strict();

export const predictDefaultsSchema = z
  .object({
    format: z.enum(['csv', 'json']),
  })
  .partial()
  .strict();

export const configSchema = z
  .object({
    /** registry directory; relative paths are resolved against the config file's folder */
    registry: z.string().min(1),
    /** the model commands use when none is named */
    model: z.string().min(1),
    backend,
    /** a folder of extra templates (<name>.json); relative to the config file */
    templates: z.string().min(1),
    train: trainDefaultsSchema,
    evaluate: evaluateDefaultsSchema,
    predict: predictDefaultsSchema,
  })
  .partial()
  .strict();

export type MlctlConfig = z.infer<typeof configSchema>;
export type TrainDefaults = z.infer<typeof trainDefaultsSchema>;
export type EvaluateDefaults = z.infer<typeof evaluateDefaultsSchema>;
