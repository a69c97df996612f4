// Preloaded into benchmarked processes: writes the process's peak RSS (KiB) and the CPU time it
// used (user + system, ms) to $BENCH_RSS_FILE at exit. CPU time is what a zero-latency run is bound
// by, and unlike wall time it hardly moves when other work shares the machine.
const { writeFileSync } = require('node:fs');
process.on('exit', () => {
  if (!process.env.BENCH_RSS_FILE) return;
  const { maxRSS, userCPUTime, systemCPUTime } = process.resourceUsage();
  writeFileSync(
    process.env.BENCH_RSS_FILE,
    JSON.stringify({ rssKb: maxRSS, cpuMs: (userCPUTime + systemCPUTime) / 1000 }),
  );
});
