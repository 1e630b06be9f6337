import jsonc from 'jsonc-parser'

/**
 * Where a config file's JSON breaks, with line and column. JSON.parse on Node 20 names a character
 * position at best (and for "Unexpected token" not even that), so the text is scanned again with
 * jsonc-parser, in strict mode, which reports the offset of the first syntax error.
 */

const WHAT: Partial<Record<ReturnType<typeof jsonc.printParseErrorCode>, string>> = {
  InvalidSymbol: 'something that is not JSON',
  InvalidNumberFormat: 'a number written wrongly',
  PropertyNameExpected: 'a key in double quotes was expected (a comma before a closing brace is not allowed)',
  ValueExpected: 'a value was expected (a comma before a closing bracket is not allowed)',
  ColonExpected: 'a colon (:) was expected after the key',
  CommaExpected: 'a comma was expected between two entries',
  CloseBraceExpected: 'a closing brace (}) was expected',
  CloseBracketExpected: 'a closing bracket (]) was expected',
  EndOfFileExpected: 'the file should end here: there is more after the last closing brace',
  InvalidCommentToken: 'JSON does not allow comments',
  UnexpectedEndOfComment: 'JSON does not allow comments',
  UnexpectedEndOfString: 'a text is not closed with a double quote',
  UnexpectedEndOfNumber: 'a number ends too early',
  InvalidUnicode: 'a \\u escape is not four hex digits',
  InvalidEscapeCharacter: 'an unknown escape after a backslash (\\)',
  InvalidCharacter: 'a character that must be escaped inside a text (a line break or tab?)',
}

export interface JsonSyntaxProblem {
  line: number
  column: number
  what: string
}

/** The first syntax error of `text`, 1-based line and column; null when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxProblem | null {
  const errors: jsonc.ParseError[] = []
  jsonc.parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false })
  const first = errors[0]
  if (!first) {
    return null
  }
  const before = text.slice(0, first.offset).split('\n')
  const line = before.length
  const column = (before.at(-1) ?? '').length + 1
  const what =
    text.trim() === '' ? 'the file is empty' : (WHAT[jsonc.printParseErrorCode(first.error)] ?? 'not valid JSON')
  return { line, column, what }
}
