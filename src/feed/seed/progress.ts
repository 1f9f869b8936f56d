// A one-line progress bar on stderr (redrawn in place on a terminal, a line per 10 % otherwise).
export function progress(label: string, total: number) {
  const tty = process.stderr.isTTY;
  let last = -1;
  const t0 = Date.now();
  return (done: number) => {
    const pct = total ? Math.floor((done / total) * 100) : 100;
    if (pct === last || (!tty && pct % 10 !== 0 && done !== total)) return;
    last = pct;
    const bar = '#'.repeat(Math.floor(pct / 4)).padEnd(25, '.');
    const line = `${label.padEnd(14)} [${bar}] ${String(pct).padStart(3)}% ${done}/${total} ${((Date.now() - t0) / 1000).toFixed(1)}s`;
    process.stderr.write(tty ? `\r${line}${done >= total ? '\n' : ''}` : `${line}\n`);
  };
}
