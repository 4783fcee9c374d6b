import { CST, Lexer } from 'yaml';

/**
 * PyYAML never ends a quoted scalar before its closing quote, nor a flow collection (`[…]`,
 * `{…}`) before its closing bracket, whatever the indentation of the lines in between. YAML
 * (and the `yaml` package) want those lines indented more than the enclosing block, so Ryax's own
 * manifests, whose multi-line descriptions continue at the indentation of their key, are syntax
 * errors there:
 *
 *     spec:
 *       description: "Run the workflow every given time.
 *       The first run starts at once."
 *
 * This adds spaces at the start of such lines, which changes no value (a line's leading spaces
 * inside a quoted scalar or a flow collection are never content), and says how many, so every
 * position can be moved back onto the file as written.
 */
export type Reindented = {
  readonly text: string;
  /** Spaces added at the start of a line, by 1-based line number. */
  readonly added: ReadonlyMap<number, number>;
};

/** Where the lexer stopped a construct early: the line it stopped at, and how far to indent it. */
type Cut = { readonly lineStart: number; readonly indent: number };

export function reindentContinuations(text: string): Reindented {
  const added = new Map<number, number>();
  let current = text;
  for (;;) {
    const cut = firstCut(current);
    if (cut === undefined) break;
    const line = lineNumberAt(current, cut.lineStart);
    const spaces = /^ */.exec(current.slice(cut.lineStart))?.[0].length ?? 0;
    const missing = cut.indent - spaces;
    // Not a place PyYAML reads on (a document marker), or no progress: the parser reports it.
    if (missing <= 0 || added.has(line) || isDocumentMarker(current, cut.lineStart)) break;
    current = current.slice(0, cut.lineStart) + ' '.repeat(missing) + current.slice(cut.lineStart);
    added.set(line, missing);
  }
  return { text: current, added };
}

/** The first quoted scalar or flow collection the lexer ends before its closing quote or bracket. */
function firstCut(text: string): Cut | undefined {
  const open: number[] = [];
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === CST.FLOW_END) {
      const outermost = open[0];
      if (outermost === undefined) return undefined;
      return { lineStart: text.lastIndexOf('\n', offset - 1) + 1, indent: columnAt(text, outermost) };
    }
    if (token === CST.DOCUMENT || token === CST.SCALAR) continue;
    if (token === '[' || token === '{') open.push(offset);
    else if (token === ']' || token === '}') open.pop();
    else if (token.startsWith('"') || token.startsWith("'")) {
      const close = closingQuote(text, offset);
      const end = offset + token.length;
      if (close >= end) return { lineStart: text.indexOf('\n', end) + 1, indent: columnAt(text, offset) };
    }
    offset += token.length;
  }
  return undefined;
}

/** The offset of the quote that closes the scalar opened at `start` (`\"` and `''` do not close), or -1. */
function closingQuote(text: string, start: number): number {
  const quote = text[start];
  for (let at = start + 1; at < text.length; at += 1) {
    const char = text[at];
    if (quote === '"' && char === '\\') at += 1;
    else if (char === quote) {
      if (quote === "'" && text[at + 1] === "'") at += 1;
      else return at;
    }
  }
  return -1;
}

function columnAt(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

function lineNumberAt(text: string, offset: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) line += 1;
  return line;
}

function isDocumentMarker(text: string, lineStart: number): boolean {
  return /^(?:---|\.\.\.)(?:[ \t\r\n]|$)/.test(text.slice(lineStart, lineStart + 4));
}
