// Preloaded into each benchmarked process: reports its peak memory when it exits.
process.on("exit", () => {
    process.stderr.write(`\nbench-rss-kib ${process.resourceUsage().maxRSS}\n`);
});
