/**
 * Every test gets an answer ledger of its own (vitest setupFiles): without it, a test that runs
 * the same rows twice and counts calls would pass or fail by what another test left behind, and
 * the user's own ledger would fill with test answers. RUN_BATCH_LEDGER reaches child processes
 * through the helpers that start the CLI; XDG_DATA_HOME covers an environment built from this
 * process's. A test that needs a shared ledger across its steps passes --ledger itself.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach } from 'vitest';

function ownLedger(): void {
  const dir = mkdtempSync(join(tmpdir(), 'rb-ledger-'));
  process.env.RUN_BATCH_LEDGER = join(dir, 'ledger.db');
  process.env.XDG_DATA_HOME = dir;
}

ownLedger(); // for beforeAll hooks
beforeEach(ownLedger);
