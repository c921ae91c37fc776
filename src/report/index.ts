/** The report core: `report()` writes a version's HTML model card (see report.ts). */
export { report, type ReportOptions, type ReportResult } from './report.js';
export { gatherReport, type ReportData, type GatherReportOptions, type LineageStep, type RegressionPoint } from './gather-report.js';
export type { CompressionFacts, LayerSparsity, MetricChange, SizeChange } from './compression-facts.js';
export type { WeightStats } from './weight-stats.js';
export { SECTIONS, type SectionId } from './report-html.js';
