// A test reporter that lists every skipped test or suite with its reason at the
// end of the run (the spec reporter only counts them), so a missing lane shows.
// Used by scripts/test.sh alongside the spec reporter.

interface TestEvent {
  type: string;
  data: { name: string; skip?: string | boolean; file?: string; nesting: number };
}

export default async function* skipReport(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const skipped: string[] = [];
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.skip !== undefined && event.data.skip !== false) {
      const reason = typeof event.data.skip === 'string' ? `: ${event.data.skip}` : '';
      skipped.push(`  - ${event.data.name}${reason}${event.data.file ? ` (${event.data.file.replace(process.cwd() + '/', '')})` : ''}`);
    }
  }
  yield skipped.length ? `\n[reelm] skipped (${skipped.length}):\n${skipped.join('\n')}\n` : '\n[reelm] skipped: none\n';
}
