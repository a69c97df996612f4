#!/usr/bin/env -S node --max-semi-space-size=2
// A 2 MB young generation (Node's default is 16): the AWS SDK allocates a lot of short-lived
// garbage per call, and a smaller nursery collects it sooner, which keeps peak memory flat as the
// input grows (see the memory benchmark) at no measurable cost in throughput.
// The stop signals' handlers first, on their own: the CLI's module graph takes a while to load on a
// busy machine, and a signal meanwhile must be answered (exit 3, summary), not end the process.
await import('../dist/signals.js');
await import('../dist/cli.js');
