/**
 * The command line's entry, which the bin loads (bundled, see scripts/bundle.mjs). The stop
 * signals' handlers come first, on their own: the rest of the CLI takes a while to load on a busy
 * machine, and a signal meanwhile must be answered (exit 3, summary), not end the process.
 */
await import('./signals.js');
await import('./cli.js');
