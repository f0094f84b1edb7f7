// Parser for the random-intercept model formulas lme4 accepts that this module fits:
//   y ~ a + b + (1 | g)        fixed effects a, b with an intercept, random intercept per level of g
//   y ~ 1 + (1 | g)            intercept only
//   y ~ 0 + a + (1 | g)  or  y ~ a - 1 + (1 | g)   no fixed intercept
//   y ~ scale(a) + b + (1|g)   a z-scored predictor (R's scale(): sd with n-1)
// Column names may be written in backticks to contain spaces or operators.

export interface FixedTerm {
  /** Column the term reads. */
  column: string;
  /** Whether it is z-scored (written `scale(column)`). */
  scaled: boolean;
  /** Coefficient name, as R prints it: `column` or `scale(column)`. */
  name: string;
}

export interface ParsedFormula {
  response: string;
  fixed: FixedTerm[];
  intercept: boolean;
  group: string;
  /** The formula written back in canonical form. */
  text: string;
}

export class FormulaError extends Error {
  override name = 'FormulaError';
}

type Tok = { kind: 'name' | 'num' | 'op'; value: string; pos: number };

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const ch = s[i];
    if (/\s/.test(ch)) { i++; continue; }
    if (ch === '`') {
      const j = s.indexOf('`', i + 1);
      if (j < 0) throw new FormulaError(`unclosed backtick at position ${i + 1} in formula`);
      out.push({ kind: 'name', value: s.slice(i + 1, j), pos: i });
      i = j + 1;
      continue;
    }
    if ('~+-()|'.includes(ch)) { out.push({ kind: 'op', value: ch, pos: i }); i++; continue; }
    const m = /^[A-Za-z._][A-Za-z0-9._]*/.exec(s.slice(i));
    if (m) { out.push({ kind: 'name', value: m[0], pos: i }); i += m[0].length; continue; }
    const n = /^[0-9]+(\.[0-9]*)?/.exec(s.slice(i));
    if (n) { out.push({ kind: 'num', value: n[0], pos: i }); i += n[0].length; continue; }
    throw new FormulaError(`unexpected '${ch}' at position ${i + 1} in formula '${s}' (supported: y ~ a + b + (1 | g))`);
  }
  return out;
}

/** Parses `y ~ a + b + (1 | g)`. Throws FormulaError with a message meant for the user. */
export function parseFormula(formula: string): ParsedFormula {
  const toks = tokenize(formula);
  let k = 0;
  const peek = () => toks[k];
  const next = () => toks[k++];
  const expectOp = (v: string) => {
    const t = next();
    if (!t || t.kind !== 'op' || t.value !== v) throw new FormulaError(`expected '${v}'${t ? ` at position ${t.pos + 1}` : ' at the end'} in formula '${formula}'`);
  };
  const lhs = next();
  if (!lhs || lhs.kind !== 'name') throw new FormulaError(`formula must start with the response column, as in 'y ~ x + (1 | g)'`);
  expectOp('~');
  const fixed: FixedTerm[] = [];
  let intercept = true;
  let group: string | undefined;
  let sign = '+';
  let first = true;
  while (k < toks.length) {
    if (!first) {
      const op = next();
      if (op.kind !== 'op' || (op.value !== '+' && op.value !== '-')) throw new FormulaError(`expected '+' between terms at position ${op.pos + 1} in formula '${formula}'`);
      sign = op.value;
    } else if (peek().kind === 'op' && peek().value === '-') { next(); sign = '-'; }
    first = false;
    const t = next();
    if (!t) throw new FormulaError(`formula '${formula}' ends with an operator`);
    if (t.kind === 'num') {
      if (t.value !== '0' && t.value !== '1') throw new FormulaError(`unexpected number ${t.value} in formula '${formula}'`);
      if (sign === '-') { if (t.value === '1') intercept = false; else throw new FormulaError(`'- 0' is not supported in formula '${formula}'`); }
      else intercept = t.value === '1' ? intercept : false;
      continue;
    }
    if (t.kind === 'op' && t.value === '(') {
      const one = next();
      if (!one || one.kind !== 'num' || one.value !== '1') throw new FormulaError(`only a random intercept '(1 | group)' is supported, in formula '${formula}'`);
      expectOp('|');
      const g = next();
      if (!g || g.kind !== 'name') throw new FormulaError(`expected a grouping column after '|' in formula '${formula}'`);
      expectOp(')');
      if (sign === '-') throw new FormulaError(`a random-effect term cannot be subtracted, in formula '${formula}'`);
      if (group !== undefined) throw new FormulaError(`only one random intercept term is supported, in formula '${formula}'`);
      group = g.value;
      continue;
    }
    if (t.kind === 'name') {
      let term: FixedTerm;
      if (t.value === 'scale' && peek()?.kind === 'op' && peek().value === '(') {
        next();
        const c = next();
        if (!c || c.kind !== 'name') throw new FormulaError(`expected a column inside scale() in formula '${formula}'`);
        expectOp(')');
        term = { column: c.value, scaled: true, name: `scale(${c.value})` };
      } else {
        if (peek()?.kind === 'op' && peek().value === '(') throw new FormulaError(`function '${t.value}()' is not supported in formula '${formula}' (only scale())`);
        term = { column: t.value, scaled: false, name: t.value };
      }
      if (sign === '-') throw new FormulaError(`removing the term '${term.name}' is not supported in formula '${formula}'`);
      if (!fixed.some((f) => f.name === term.name)) fixed.push(term);
      continue;
    }
    throw new FormulaError(`unexpected '${t.value}' at position ${t.pos + 1} in formula '${formula}'`);
  }
  if (group === undefined) throw new FormulaError(`formula '${formula}' has no random intercept: add '+ (1 | group)'`);
  if (fixed.some((f) => f.column === lhs.value)) throw new FormulaError(`the response '${lhs.value}' is also a predictor in formula '${formula}'`);
  const q = (s: string) => (/^[A-Za-z._][A-Za-z0-9._]*$/.test(s) ? s : `\`${s}\``);
  const rhs = [...(intercept ? (fixed.length ? [] : ['1']) : ['0']), ...fixed.map((f) => (f.scaled ? `scale(${q(f.column)})` : q(f.column))), `(1 | ${q(group)})`];
  return { response: lhs.value, fixed, intercept, group, text: `${q(lhs.value)} ~ ${rhs.join(' + ')}` };
}
