#!/usr/bin/env -S node --max-semi-space-size=2
// A 2 MB young generation (Node's default is 16): the AWS SDK allocates a lot of short-lived
// garbage per call, and a smaller nursery collects it sooner, which keeps peak memory flat as the
// input grows (see the memory benchmark) at no measurable cost in throughput.
// The CLI as one bundle (scripts/bundle.mjs, built by `npm run build`): it starts faster than tsc's
// module files. Its entry installs the stop signals' handlers before loading the rest.
await import('../dist/bundle/main.js');
