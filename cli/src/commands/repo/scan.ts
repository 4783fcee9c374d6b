import { unwrap, type TrellisClient } from '@trellis/sdk';
import { CliError } from '../../exit-codes.js';
import { note, printJson, printLine } from '../../output.js';
import type { ScanDetail } from './api-types.js';
import { printScan } from './scan-output.js';
import { findSource } from './sources.js';
import { deadlineOf, POLL_MS, sleep } from '../../wait.js';

export type ScanOptions = { wait?: boolean; timeout: string; json?: boolean };

const FINISHED = ['done', 'failed', 'canceled'];

async function followScan(client: TrellisClient, sourceId: string, scanId: string, timeout: string): Promise<ScanDetail> {
  const deadline = deadlineOf(timeout);
  let last = '';
  for (;;) {
    const scan = await unwrap(client.GET('/repository/sources/{id}/scans/{scanId}', { params: { path: { id: sourceId, scanId } } }));
    if (scan.status !== last) note(`scan ${scan.status}${scan.commit ? ` (${scan.commit.slice(0, 12)})` : ''}`);
    last = scan.status;
    if (FINISHED.includes(scan.status)) return scan;
    deadline.check(`the scan ${scanId}`);
    await sleep(POLL_MS);
  }
}

/** Asks for a scan; with --wait follows it and shows what it found. A scan that did not end done exits 1. */
export async function scanSource(client: TrellisClient, name: string, options: ScanOptions): Promise<void> {
  const source = await findSource(client, name);
  const queued = await unwrap(client.POST('/repository/sources/{id}/scan', { params: { path: { id: source.id } } }));
  if (!options.wait) {
    if (options.json) return printJson(queued);
    return printLine(`Scan ${queued.id} ${queued.status}: follow it with \`trellis repo show ${source.name}\` (or scan with --wait)`);
  }
  const scan = await followScan(client, source.id, queued.id, options.timeout);
  if (options.json) printJson(scan);
  else printScan(scan);
  if (scan.status !== 'done') {
    throw new CliError(`scan_${scan.status}`, scan.error ? `the scan ${scan.status}: ${scan.error.message}` : `the scan was ${scan.status}`, { hint: 'check the URL, branch and credentials with `trellis repo show`' });
  }
}
