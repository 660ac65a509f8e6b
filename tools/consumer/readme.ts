/**
 * The parts of a library README that tests read: a `## ` section by its title, the identifiers
 * its "Public API" section names, and the TypeScript example the consumer test compiles and runs.
 */

/** The body of the `## <title>` section (up to the next `#`/`##` heading outside code fences). */
export function markdownSection(markdown: string, title: string): string | undefined {
  const lines = markdown.split('\n');
  let inFence = false;
  let start = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    if (inFence) continue;
    const heading = /^(#{1,2}) (.*)$/.exec(line);
    if (!heading) continue;
    if (start >= 0) return lines.slice(start, i).join('\n');
    if (heading[1] === '##' && heading[2].trim() === title) start = i + 1;
  }
  return start >= 0 ? lines.slice(start).join('\n') : undefined;
}

/** Every `identifier` in backticks (other code spans, such as package names or calls, are skipped). */
export function backtickedIdentifiers(section: string): string[] {
  const names = new Set<string>();
  for (const match of section.matchAll(/`([^`\n]+)`/g)) {
    if (/^[A-Za-z_$][\w$]*$/.test(match[1])) names.add(match[1]);
  }
  return [...names].sort();
}

/** The first fenced `ts` block of the `## Example` section. */
export function exampleOf(markdown: string): string | undefined {
  const section = markdownSection(markdown, 'Example');
  if (section === undefined) return undefined;
  const match = /^```ts\n([\s\S]*?)^```$/m.exec(section);
  return match?.[1];
}
