/**
 * The quick-start commands of README.md: the fenced shell block right after the marker line
 *
 *   <!-- quick-start: … -->
 *
 * returned one command per entry, exactly as written (a line ending in `\` continues on the
 * next; blank lines and whole-line `#` comments are dropped; a trailing `# comment` stays, the
 * shell ignores it).
 */
export const QUICK_START_MARKER = "<!-- quick-start";

export function quickStartCommands(markdown: string, where = "README.md"): string[] {
  const lines = markdown.split(/\r?\n/);
  const at = lines.findIndex((l) => l.trimStart().startsWith(QUICK_START_MARKER));
  if (at < 0) throw new Error(`${where}: no line starting with "${QUICK_START_MARKER}" (it marks the quick-start block the README test runs)`);
  let i = at + 1;
  while (i < lines.length && lines[i]!.trim() === "") i++;
  const fence = lines[i]?.trim() ?? "";
  if (!/^```(sh|bash|shell)?$/.test(fence)) throw new Error(`${where}:${i + 1}: expected a \`\`\`sh fence right after the quick-start marker, got ${JSON.stringify(fence)}`);
  const commands: string[] = [];
  let pending = "";
  for (i++; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "```") {
      if (pending) throw new Error(`${where}:${i + 1}: the quick-start block ends inside a continued (\\) command`);
      return commands;
    }
    const text = pending ? `${pending}\n${line}` : line;
    if (/\\\s*$/.test(line)) {
      pending = text;
      continue;
    }
    pending = "";
    if (text.trim() === "" || text.trim().startsWith("#")) continue;
    commands.push(text.trim());
  }
  throw new Error(`${where}: the quick-start block after line ${at + 1} is never closed with \`\`\``);
}
