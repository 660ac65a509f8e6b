import { createToken, EmbeddedActionsParser, EOF, type IToken, Lexer, type TokenType } from 'chevrotain';
import {
  type ComparisonOperator,
  type Condition,
  type Direction,
  type OrderBy,
  type Position,
  type PropertyRef,
  type Query,
  type ReturnItem,
  type Selector,
  type SelectorName,
  type Traversal,
  type Unit,
  type Value,
  type WhereCondition,
} from './ast';
import { J1qlError } from './errors';

// Tokens. The lexer tries them in order, so longer operators come before their prefixes and
// keywords before the identifier (each keyword gives way to a longer identifier: `findings`).
const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/ });
const keyword = (word: string): TokenType =>
  createToken({ name: word, pattern: new RegExp(word, 'i'), longer_alt: Identifier });
const Find = keyword('FIND');
const With = keyword('WITH');
const That = keyword('THAT');
const As = keyword('AS');
const Where = keyword('WHERE');
const Return = keyword('RETURN');
const Order = keyword('ORDER');
const By = keyword('BY');
const Asc = keyword('ASC');
const Desc = keyword('DESC');
const Skip = keyword('SKIP');
const Limit = keyword('LIMIT');
const And = keyword('AND');
const Or = keyword('OR');
const Not = keyword('NOT');
const True = keyword('TRUE');
const False = keyword('FALSE');
const Undefined = keyword('UNDEFINED');
const Relates = keyword('RELATES');
const To = keyword('TO');
const Count = keyword('COUNT');
const Tree = keyword('TREE');
const KEYWORDS = [Find, With, That, As, Where, Return, Order, By, Asc, Desc, Skip, Limit, And, Or, Not, True, False, Undefined, Relates, To, Count, Tree];
/** Keywords that may also name a property (`order`, `count`, `to`): all but the boolean operators. */
const NAME_KEYWORDS = KEYWORDS.filter((token) => token !== And && token !== Or && token !== Not);

const DoubleQuoted = createToken({ name: 'DoubleQuoted', pattern: /"(?:[^"\\]|\\[\s\S])*"/ });
const SingleQuoted = createToken({ name: 'SingleQuoted', pattern: /'(?:[^'\\]|\\[\s\S])*'/ });
const NumberLiteral = createToken({ name: 'NumberLiteral', pattern: /\d+(?:\.\d+)?/ });
// A string pattern matches literally.
const operator = (name: string, image: string): TokenType => createToken({ name, pattern: image });
const NotContains = operator('NotContains', '!~=');
const NotStartsWith = operator('NotStartsWith', '!^=');
const NotEndsWith = operator('NotEndsWith', '!$=');
const Contains = operator('Contains', '~=');
const StartsWith = operator('StartsWith', '^=');
const EndsWith = operator('EndsWith', '$=');
const NotEquals = operator('NotEquals', '!=');
const GreaterOrEqual = operator('GreaterOrEqual', '>=');
const LessOrEqual = operator('LessOrEqual', '<=');
const Outgoing = operator('Outgoing', '>>');
const Incoming = operator('Incoming', '<<');
const Equals = operator('Equals', '=');
const Greater = operator('Greater', '>');
const Less = operator('Less', '<');
const Bang = operator('Bang', '!');
const Minus = operator('Minus', '-');
const Plus = operator('Plus', '+');
const LParen = operator('LParen', '(');
const RParen = operator('RParen', ')');
const LBracket = operator('LBracket', '[');
const RBracket = operator('RBracket', ']');
const Comma = operator('Comma', ',');
const Pipe = operator('Pipe', '|');
const Star = operator('Star', '*');
const Dot = operator('Dot', '.');
const Question = operator('Question', '?');
const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /\s+/, group: Lexer.SKIPPED });

const COMPARISONS: [TokenType, ComparisonOperator][] = [
  [NotContains, '!~='],
  [NotStartsWith, '!^='],
  [NotEndsWith, '!$='],
  [Contains, '~='],
  [StartsWith, '^='],
  [EndsWith, '$='],
  [NotEquals, '!='],
  [GreaterOrEqual, '>='],
  [LessOrEqual, '<='],
  [Equals, '='],
  [Greater, '>'],
  [Less, '<'],
];

const ALL_TOKENS = [
  WhiteSpace,
  DoubleQuoted,
  SingleQuoted,
  NumberLiteral,
  NotContains,
  NotStartsWith,
  NotEndsWith,
  Contains,
  StartsWith,
  EndsWith,
  NotEquals,
  GreaterOrEqual,
  LessOrEqual,
  Outgoing,
  Incoming,
  Equals,
  Greater,
  Less,
  Bang,
  Minus,
  Plus,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Pipe,
  Star,
  Dot,
  Question,
  // longer keywords first: AS must not take the start of ASC, nor OR of ORDER
  ...[...KEYWORDS].sort((a, b) => String(b.PATTERN).length - String(a.PATTERN).length),
  Identifier,
];

const lexer = new Lexer(ALL_TOKENS, { positionTracking: 'full', ensureOptimizations: false });

/** Parts of J1QL outside the subset, named when a query uses them. */
const UNSUPPORTED_WORDS = new Map<string, string>([
  ['UNIQUE', 'FIND UNIQUE'],
  ['MIN', 'the MIN aggregate'],
  ['MAX', 'the MAX aggregate'],
  ['AVG', 'the AVG aggregate'],
  ['SUM', 'the SUM aggregate'],
  ['CONCAT', 'the CONCAT function'],
]);

const UNITS: Record<string, Unit> = { day: 'days', days: 'days', hour: 'hours', hours: 'hours', minute: 'minutes', minutes: 'minutes' };

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };

const positionOf = (token: IToken): Position => ({ line: token.startLine ?? 1, column: token.startColumn ?? 1 });

function unquote(token: IToken): string {
  const body = token.image.slice(1, -1);
  return body.replace(/\\(u[0-9a-fA-F]{4}|[\s\S])/g, (_match, escaped: string) =>
    escaped.length === 5 ? String.fromCharCode(parseInt(escaped.slice(1), 16)) : (ESCAPES[escaped] ?? escaped),
  );
}

/**
 * The parser: chevrotain's embedded actions build the AST as they match (no separate CST pass).
 * In recording mode (grammar analysis at construction) actions must not run, hence ACTION().
 */
class J1qlParser extends EmbeddedActionsParser {
  /**
   * `validate`: chevrotain's grammar checks (ambiguities, duplicate productions). They need
   * `Object.groupBy` (Node.js 21), so the parser queries use skips them and a test runs them.
   */
  constructor(validate = false) {
    super(ALL_TOKENS, { maxLookahead: 3, skipValidations: !validate });
    this.performSelfAnalysis();
  }

  query = this.RULE('query', (): Query => {
    this.CONSUME(Find);
    const find = this.SUBRULE(this.selectorClause);
    const traversals: Traversal[] = [];
    this.MANY(() => traversals.push(this.SUBRULE(this.traversal)));
    let where: WhereCondition | undefined;
    this.OPTION(() => {
      this.CONSUME(Where);
      where = this.SUBRULE(this.whereOr);
    });
    let returned: ReturnItem[] | undefined;
    this.OPTION2(() => {
      this.CONSUME(Return);
      const items: ReturnItem[] = [];
      this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => items.push(this.SUBRULE(this.returnItem)) });
      returned = items;
    });
    let orderBy: OrderBy | undefined;
    this.OPTION3(() => {
      this.CONSUME(Order);
      this.CONSUME(By);
      const ref = this.SUBRULE(this.propertyRef);
      let descending = false;
      this.OPTION4(() => {
        this.OR([{ ALT: () => this.CONSUME(Asc) }, { ALT: () => (this.CONSUME(Desc), (descending = true)) }]);
      });
      orderBy = this.ACTION(() => ({ ref, descending }));
    });
    let skip: number | undefined;
    this.OPTION5(() => {
      this.CONSUME(Skip);
      skip = this.SUBRULE(this.count);
    });
    let limit: number | undefined;
    this.OPTION6(() => {
      this.CONSUME(Limit);
      limit = this.SUBRULE2(this.count);
    });
    return this.ACTION(() => {
      const query: Query = { find, traversals };
      if (where) query.where = where;
      if (returned) query.return = returned;
      if (orderBy) query.orderBy = orderBy;
      if (skip !== undefined) query.skip = skip;
      if (limit !== undefined) query.limit = limit;
      return query;
    });
  });

  /** A selector with its optional alias and filter, in either order (`AS u WITH ...` or `WITH ... AS u`). */
  selectorClause = this.RULE('selectorClause', (): { selector: Selector; alias?: string; with?: Condition } => {
    const selector = this.SUBRULE(this.selector);
    let alias: string | undefined;
    let condition: Condition | undefined;
    this.OPTION(() => {
      this.CONSUME(As);
      alias = this.CONSUME(Identifier).image;
    });
    this.OPTION2(() => {
      this.CONSUME(With);
      condition = this.SUBRULE(this.conditionOr);
    });
    this.OPTION3({
      GATE: () => alias === undefined,
      DEF: () => {
        this.CONSUME2(As);
        alias = this.CONSUME2(Identifier).image;
      },
    });
    return this.ACTION(() => ({ selector, ...(alias !== undefined ? { alias } : {}), ...(condition ? { with: condition } : {}) }));
  });

  selector = this.RULE('selector', (): Selector => {
    return this.OR([
      {
        ALT: (): Selector => {
          const star = this.CONSUME(Star);
          return this.ACTION(() => ({ names: [], position: positionOf(star) }));
        },
      },
      {
        ALT: (): Selector => {
          const name = this.CONSUME(Identifier);
          return this.ACTION(() => ({ names: [selectorName(name.image)], position: positionOf(name) }));
        },
      },
      {
        ALT: (): Selector => {
          const open = this.CONSUME(LParen);
          const names: SelectorName[] = [];
          this.AT_LEAST_ONE_SEP({ SEP: Pipe, DEF: () => names.push(selectorName(this.CONSUME2(Identifier).image)) });
          this.CONSUME(RParen);
          return this.ACTION(() => ({ names, position: positionOf(open) }));
        },
      },
    ]);
  });

  traversal = this.RULE('traversal', (): Traversal => {
    const that = this.CONSUME(That);
    let negated = false;
    this.OPTION(() => {
      this.CONSUME(Bang);
      negated = true;
    });
    const verbs = this.SUBRULE(this.verbs);
    let direction: Direction = 'both';
    this.OPTION2(() => {
      this.OR([
        { ALT: () => (this.CONSUME(Outgoing), (direction = 'out')) },
        { ALT: () => (this.CONSUME(Incoming), (direction = 'in')) },
      ]);
    });
    // `AS r` right after the verb (and its arrow) names the relationship itself, as in JupiterOne's
    // `THAT ALLOWS AS rule *`; the entity's alias comes after its selector.
    let relationship: { alias: string; position: Position } | undefined;
    this.OPTION4(() => {
      this.CONSUME(As);
      const name = this.CONSUME(Identifier);
      relationship = this.ACTION(() => ({ alias: name.image, position: positionOf(name) }));
    });
    // The target may be left out (any entity): then the clause goes on with AS, WITH or the next part.
    let clause: { selector: Selector; alias?: string; with?: Condition } | undefined;
    this.OPTION3({
      GATE: () => [Star, Identifier, LParen].includes(this.LA(1).tokenType),
      DEF: () => {
        clause = this.SUBRULE(this.selectorClause);
      },
    });
    return this.ACTION(() => {
      const target = clause ?? { selector: { names: [], position: positionOf(that) } };
      const traversal: Traversal = { negated, verbs, direction, target: target.selector, position: positionOf(that) };
      if (target.alias !== undefined) traversal.alias = target.alias;
      if (target.with) traversal.with = target.with;
      if (relationship) traversal.relationship = relationship;
      return traversal;
    });
  });

  verbs = this.RULE('verbs', (): string[] => {
    return this.OR([
      { ALT: () => (this.CONSUME(Relates), this.CONSUME(To), []) },
      { ALT: () => [this.CONSUME(Identifier).image.toUpperCase()] },
      {
        ALT: () => {
          this.CONSUME(LParen);
          const verbs: string[] = [];
          this.AT_LEAST_ONE_SEP({ SEP: Pipe, DEF: () => verbs.push(this.CONSUME2(Identifier).image.toUpperCase()) });
          this.CONSUME(RParen);
          return verbs;
        },
      },
    ]);
  });

  conditionOr = this.RULE('conditionOr', (): Condition => {
    let left = this.SUBRULE(this.conditionAnd);
    this.MANY(() => {
      this.CONSUME(Or);
      const right = this.SUBRULE2(this.conditionAnd);
      left = this.ACTION(() => ({ kind: 'or', left, right }));
    });
    return left;
  });

  conditionAnd = this.RULE('conditionAnd', (): Condition => {
    let left = this.SUBRULE(this.conditionTerm);
    this.MANY(() => {
      this.CONSUME(And);
      const right = this.SUBRULE2(this.conditionTerm);
      left = this.ACTION(() => ({ kind: 'and', left, right }));
    });
    return left;
  });

  conditionTerm = this.RULE('conditionTerm', (): Condition => {
    return this.OR([
      {
        ALT: (): Condition => {
          this.CONSUME(LParen);
          const inner = this.SUBRULE(this.conditionOr);
          this.CONSUME(RParen);
          return inner;
        },
      },
      {
        ALT: (): Condition => {
          this.CONSUME(Not);
          const operand = this.SUBRULE(this.conditionTerm);
          return this.ACTION(() => ({ kind: 'not', operand }));
        },
      },
      {
        ALT: (): Condition => {
          const first = this.LA(1);
          const property = this.SUBRULE(this.propertyPath);
          const operator = this.SUBRULE(this.comparison);
          const value = this.SUBRULE(this.value);
          return this.ACTION(() => ({ kind: 'compare', property, operator, value, position: positionOf(first) }));
        },
      },
    ]);
  });

  whereOr = this.RULE('whereOr', (): WhereCondition => {
    let left = this.SUBRULE(this.whereAnd);
    this.MANY(() => {
      this.CONSUME(Or);
      const right = this.SUBRULE2(this.whereAnd);
      left = this.ACTION(() => ({ kind: 'or', left, right }));
    });
    return left;
  });

  whereAnd = this.RULE('whereAnd', (): WhereCondition => {
    let left = this.SUBRULE(this.whereTerm);
    this.MANY(() => {
      this.CONSUME(And);
      const right = this.SUBRULE2(this.whereTerm);
      left = this.ACTION(() => ({ kind: 'and', left, right }));
    });
    return left;
  });

  whereTerm = this.RULE('whereTerm', (): WhereCondition => {
    return this.OR([
      {
        ALT: (): WhereCondition => {
          this.CONSUME(LParen);
          const inner = this.SUBRULE(this.whereOr);
          this.CONSUME(RParen);
          return inner;
        },
      },
      {
        ALT: (): WhereCondition => {
          const left = this.SUBRULE(this.propertyRef);
          const operator = this.SUBRULE(this.comparison);
          const right = this.OR2([
            {
              GATE: () => this.LA(1).tokenType === Identifier && !(this.LA(1).image === 'date' && this.LA(3).image === 'now'),
              ALT: (): Value | PropertyRef => this.SUBRULE2(this.propertyRef),
            },
            { ALT: (): Value | PropertyRef => this.SUBRULE(this.value) },
          ]);
          return this.ACTION(() => ({ kind: 'compare', left, operator, right }));
        },
      },
    ]);
  });

  returnItem = this.RULE('returnItem', (): ReturnItem => {
    return this.OR([
      {
        ALT: (): ReturnItem => {
          const tree = this.CONSUME(Tree);
          return this.ACTION(() => ({ kind: 'tree', position: positionOf(tree) }));
        },
      },
      {
        ALT: (): ReturnItem => {
          const count = this.CONSUME(Count);
          this.CONSUME(LParen);
          const alias = this.CONSUME(Identifier).image;
          this.CONSUME(RParen);
          const as = this.SUBRULE(this.asName);
          return this.ACTION(() => ({ kind: 'count', alias, ...(as !== undefined ? { as } : {}), position: positionOf(count) }));
        },
      },
      {
        ALT: (): ReturnItem => {
          const aliasToken = this.CONSUME2(Identifier);
          const alias = aliasToken.image;
          return this.OR2([
            {
              ALT: (): ReturnItem => {
                this.CONSUME(Dot);
                return this.OR3([
                  {
                    ALT: (): ReturnItem => {
                      this.CONSUME(Star);
                      return this.ACTION((): ReturnItem => ({ kind: 'all-properties', alias, position: positionOf(aliasToken) }));
                    },
                  },
                  {
                    ALT: (): ReturnItem => {
                      const property = this.SUBRULE(this.propertyPath);
                      const as = this.SUBRULE2(this.asName);
                      return this.ACTION(
                        (): ReturnItem => ({ kind: 'property', ref: { alias, property, position: positionOf(aliasToken) }, ...(as !== undefined ? { as } : {}) }),
                      );
                    },
                  },
                ]);
              },
            },
            { ALT: (): ReturnItem => this.ACTION((): ReturnItem => ({ kind: 'alias', alias, position: positionOf(aliasToken) })) },
          ]);
        },
      },
    ]);
  });

  asName = this.RULE('asName', (): string | undefined => {
    let name: string | undefined;
    this.OPTION(() => {
      this.CONSUME(As);
      name = this.OR([{ ALT: () => this.CONSUME(Identifier).image }, { ALT: () => unquote(this.CONSUME(DoubleQuoted)) }, { ALT: () => unquote(this.CONSUME(SingleQuoted)) }]);
    });
    return name;
  });

  /** `alias.property` (the property may itself hold dots: `u.tag.Owner`). */
  propertyRef = this.RULE('propertyRef', (): PropertyRef => {
    const aliasToken = this.CONSUME(Identifier);
    this.CONSUME(Dot);
    const property = this.SUBRULE(this.propertyPath);
    return this.ACTION(() => ({ alias: aliasToken.image, property, position: positionOf(aliasToken) }));
  });

  propertyPath = this.RULE('propertyPath', (): string => {
    const parts: string[] = [this.SUBRULE(this.name)];
    this.MANY(() => {
      this.CONSUME(Dot);
      parts.push(this.SUBRULE2(this.name));
    });
    return parts.join('.');
  });

  name = this.RULE('name', (): string => {
    return this.OR([{ ALT: () => this.CONSUME(Identifier).image }, ...NAME_KEYWORDS.map((token) => ({ ALT: () => this.CONSUME(token).image }))]);
  });

  comparison = this.RULE('comparison', (): ComparisonOperator => {
    return this.OR(COMPARISONS.map(([token, op]) => ({ ALT: () => (this.CONSUME(token), op) })));
  });

  value = this.RULE('value', (): Value => {
    return this.OR([
      { ALT: (): Value => ({ kind: 'string', value: unquote(this.CONSUME(DoubleQuoted)) }) },
      { ALT: (): Value => ({ kind: 'string', value: unquote(this.CONSUME(SingleQuoted)) }) },
      { ALT: (): Value => ({ kind: 'number', value: Number(this.CONSUME(NumberLiteral).image) }) },
      {
        ALT: (): Value => {
          this.CONSUME(Minus);
          return { kind: 'number', value: -Number(this.CONSUME2(NumberLiteral).image) };
        },
      },
      { ALT: (): Value => (this.CONSUME(True), { kind: 'boolean', value: true }) },
      { ALT: (): Value => (this.CONSUME(False), { kind: 'boolean', value: false }) },
      { ALT: (): Value => (this.CONSUME(Undefined), { kind: 'undefined' }) },
      { ALT: (): Value => this.SUBRULE(this.dateNow) },
      {
        ALT: (): Value => {
          this.CONSUME(LBracket);
          const values: Value[] = [];
          this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => values.push(this.SUBRULE(this.value)) });
          this.CONSUME(RBracket);
          return { kind: 'list', values };
        },
      },
    ]);
  });

  dateNow = this.RULE('dateNow', (): Value => {
    const date = this.CONSUME(Identifier);
    this.CONSUME(Dot);
    const now = this.CONSUME2(Identifier);
    let shift: { amount: number; unit: Unit } | undefined;
    this.OPTION(() => {
      const sign = this.OR([{ ALT: () => (this.CONSUME(Minus), -1) }, { ALT: () => (this.CONSUME(Plus), 1) }]);
      const amount = Number(this.CONSUME(NumberLiteral).image);
      const unitToken = this.CONSUME3(Identifier);
      shift = this.ACTION(() => {
        const unit = UNITS[unitToken.image.toLowerCase()];
        if (!unit) throw new J1qlError(`J1QL: "${unitToken.image}" is not a unit of date.now (days, hours or minutes)`, positionOf(unitToken));
        return { amount: sign * amount, unit };
      });
    });
    return this.ACTION(() => {
      if (date.image !== 'date' || now.image !== 'now') {
        throw new J1qlError(`J1QL: "${date.image}.${now.image}" is not a value (strings are quoted; the only date is date.now)`, positionOf(date));
      }
      return shift ? { kind: 'date-now', shift } : { kind: 'date-now' };
    });
  });

  count = this.RULE('count', (): number => Number(this.CONSUME(NumberLiteral).image));
}

function selectorName(name: string): SelectorName {
  return /^[A-Z]/.test(name) ? { kind: 'class', name } : { kind: 'type', name };
}

const parser = new J1qlParser();

/** Builds the parser with chevrotain's grammar checks on: throws when the grammar is ambiguous. For tests. */
export function validateJ1qlGrammar(): void {
  new J1qlParser(true);
}

/**
 * Parses a J1QL query of the subset into its AST. Throws `J1qlError` (with the column) on a
 * syntax error or on a part of J1QL the subset leaves out, naming it.
 */
export function parseJ1ql(text: string): Query {
  const lexed = lexer.tokenize(text);
  if (lexed.errors.length > 0) {
    const error = lexed.errors[0];
    throw new J1qlError(`J1QL: unexpected character "${text.slice(error.offset, error.offset + error.length).slice(0, 1)}"`, { line: error.line ?? 1, column: error.column ?? 1 });
  }
  const unsupported = findUnsupported(lexed.tokens);
  parser.input = lexed.tokens;
  let query: Query;
  try {
    query = parser.query();
  } catch (error) {
    if (error instanceof J1qlError) throw error;
    throw error;
  }
  if (parser.errors.length > 0) {
    if (unsupported) throw unsupported;
    const error = parser.errors[0];
    const token = error.token;
    const atEnd = token.tokenType === EOF || !(Number(token.startColumn) >= 1);
    const at: Position = atEnd ? endOf(text) : positionOf(token);
    const found = atEnd ? 'end of the query' : `"${token.image}"`;
    throw new J1qlError(`J1QL: unexpected ${found}`, at);
  }
  return query;
}

/** A part of J1QL outside the subset, named (checked when the parse fails, so quoted text never counts). */
function findUnsupported(tokens: IToken[]): J1qlError | undefined {
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i];
    if (token.tokenType === Question && tokens[i - 1]?.tokenType === RParen) {
      return new J1qlError('J1QL: optional traversals "( ... )?" are not supported', positionOf(token));
    }
    if (token.tokenType === Identifier) {
      const word = UNSUPPORTED_WORDS.get(token.image.toUpperCase());
      const next = tokens[i + 1]?.tokenType;
      if (word && (token.image.toUpperCase() === 'UNIQUE' || next === LParen)) {
        return new J1qlError(`J1QL: ${word} is not supported`, positionOf(token));
      }
    }
  }
  return undefined;
}

function endOf(text: string): Position {
  const lines = text.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}
