/**
 * The command line's entry, which the bin loads as one bundle (scripts/bundle.mjs). The stop
 * signals' handlers come first, on their own: the rest of the CLI takes a while to load on a busy
 * machine, and a signal meanwhile must be answered (exit 3, summary), not end the process.
 */
import './signals.js';
import './cli.js';
