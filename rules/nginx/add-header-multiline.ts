import type { Rule } from '../../src/lint/rule.js';
import type { Arg, Directive } from '../../src/nginx/tree.js';
import { replaceArg } from '../../src/edit/edits.js';

/** Header values of add_header / more_set_headers (skipping -s/-t option values). */
function headerArgs(d: Directive): Arg[] {
  if (d.name === 'add_header' || d.name === 'add_trailer') return d.args[1] ? [d.args[1]] : [];
  if (d.name !== 'more_set_headers' && d.name !== 'more_set_input_headers') return [];
  const out: Arg[] = [];
  for (let i = 0; i < d.args.length; i++) {
    const v = d.args[i]!.value;
    if (v === '-s' || v === '-t') {
      i++;
      continue;
    }
    if (v.startsWith('-')) continue;
    out.push(d.args[i]!);
  }
  return out;
}

export const rule: Rule = {
  meta: {
    id: 'nginx/add-header-multiline',
    aliases: ['add_header_multiline'],
    category: 'security',
    severity: 'info',
    fix: 'suggest',
    summary: 'header value spans several lines (obsolete line folding; clients may drop or split it)',
    needs: ['nginx'],
  },
  create(ctx) {
    const header = (d: Directive): void => {
      for (const arg of headerArgs(d)) {
        if (!/[\r\n]/.test(arg.value)) continue;
        // A newline not followed by whitespace ends the header: what follows becomes a new header line.
        const bare = /\n(?![ \t])/.test(arg.value.replace(/\r\n/g, '\n'));
        ctx.report({
          node: arg,
          file: d.file,
          severity: bare ? 'error' : undefined,
          message: bare
            ? `${d.name} value contains a newline that is not followed by whitespace: the rest becomes a separate header line`
            : `${d.name} value spans several lines: nginx sends the newlines as-is (obsolete folding, rejected or mangled by many clients)`,
          fix: { description: 'join the value on one line', edits: [replaceArg(d.file, arg, arg.value.replace(/\s*[\r\n]+\s*/g, ' ').trim())] },
        });
      }
    };
    // The names headerArgs() reads values of.
    return { named: { add_header: header, add_trailer: header, more_set_headers: header, more_set_input_headers: header } };
  },
};
