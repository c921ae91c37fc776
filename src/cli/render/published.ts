/** Human rendering of a newly published version (import, train, prune, quantize). */
import type { VersionRecord } from '../../registry/version-record.js';
import type { Style } from '../output.js';
import { formatBytes, formatDuration } from './format.js';

export function renderPublished(record: VersionRecord, s: Style): string {
  const bytes = record.files.reduce((a, f) => a + f.bytes, 0);
  const gz = record.files.reduce((a, f) => a + f.gzipBytes, 0);
  const parts = [
    `${s.green('✔')} ${s.bold(`${record.model} v${record.version}`)} ${record.operation === 'import' ? 'imported' : 'published'}`,
    `${formatBytes(bytes)} (${formatBytes(gz)} gzipped)`,
  ];
  if (record.backend) parts.push(`backend ${record.backend}`);
  if (record.durationMs !== null) parts.push(formatDuration(record.durationMs));
  return parts.join(' · ');
}
