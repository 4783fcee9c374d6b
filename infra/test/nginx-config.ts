// Just enough of nginx's config syntax to check our gateway configs: directives with their
// arguments (quotes removed) and blocks. Comments go; `${NAME}` placeholders stay single words.

export type Directive = { readonly name: string; readonly args: readonly string[]; readonly block?: readonly Directive[] };

type Token = { readonly text: string; readonly quoted: boolean };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i] as string;
    if (/\s/.test(char)) {
      i++;
    } else if (char === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (char === ';' || char === '{' || char === '}') {
      tokens.push({ text: char, quoted: false });
      i++;
    } else if (char === '"' || char === "'") {
      let end = i + 1;
      while (end < text.length && text[end] !== char) end += text[end] === '\\' ? 2 : 1;
      if (end >= text.length) throw new Error(`unterminated ${char} string at offset ${i}`);
      tokens.push({ text: text.slice(i + 1, end), quoted: true });
      i = end + 1;
    } else {
      let end = i;
      while (end < text.length && !/[\s;{}]/.test(text[end] as string)) {
        // A `${NAME}` placeholder or `${name}` variable is one word, braces included.
        if (text[end] === '$' && text[end + 1] === '{') end = text.indexOf('}', end) + 1;
        else end++;
      }
      tokens.push({ text: text.slice(i, end), quoted: false });
      i = end;
    }
  }
  return tokens;
}

/** The directives of a config file (or of the body of a block, such as our template). */
export function parseNginx(text: string): Directive[] {
  const tokens = tokenize(text);
  let at = 0;
  const parseBlock = (nested: boolean): Directive[] => {
    const directives: Directive[] = [];
    for (;;) {
      const token = tokens[at];
      if (token === undefined) {
        if (nested) throw new Error('a block is not closed');
        return directives;
      }
      at++;
      if (!token.quoted && token.text === '}') {
        if (!nested) throw new Error('a } closes nothing');
        return directives;
      }
      const args: string[] = [];
      for (;;) {
        const next = tokens[at++];
        if (next === undefined) throw new Error(`${token.text}: no ; or {`);
        if (!next.quoted && next.text === ';') {
          directives.push({ name: token.text, args });
          break;
        }
        if (!next.quoted && next.text === '{') {
          directives.push({ name: token.text, args, block: parseBlock(true) });
          break;
        }
        args.push(next.text);
      }
    }
  };
  return parseBlock(false);
}

/** Every directive at any depth, with the names of the blocks it sits in (`server`, `location = /x`). */
export function everyDirective(directives: readonly Directive[], path: readonly string[] = []): { directive: Directive; path: readonly string[] }[] {
  return directives.flatMap((directive) => [
    { directive, path },
    ...(directive.block ? everyDirective(directive.block, [...path, [directive.name, ...directive.args].join(' ')]) : []),
  ]);
}

/** The first block `name args...` among `directives`. */
export function blockOf(directives: readonly Directive[], name: string, ...args: string[]): readonly Directive[] | undefined {
  return directives.find((d) => d.name === name && args.every((arg, i) => d.args[i] === arg) && d.block !== undefined)?.block;
}
