// Preloaded into the measured process (NODE_OPTIONS=--require): on exit, writes its peak RSS to
// the file named by BENCH_RUSAGE_FILE, so the benchmark can read it after the process ends.
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  const file = process.env.BENCH_RUSAGE_FILE;
  if (file) writeFileSync(file, JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS }));
});
