// Preloaded into the measured process (NODE_OPTIONS=--require): on exit, writes its peak RSS and
// its user and system CPU time (all threads) to the file named by BENCH_RUSAGE_FILE, so the
// benchmark can read them after the process ends.
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  const file = process.env.BENCH_RUSAGE_FILE;
  if (!file) return;
  const usage = process.resourceUsage();
  writeFileSync(file, JSON.stringify({ maxRssKb: usage.maxRSS, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 }));
});
