// Interpreting what the server's commands return. Pure: no `vscode` import.

function fieldsOf(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * A short summary of `electraLsp.checkDocument`'s result ({uri, version, findings: number |
 * null}), or undefined when it says nothing.
 */
export function describeCheckResult(result: unknown): string | undefined {
  let count: number | undefined;
  const fields = fieldsOf(result);
  if (typeof result === 'number') {
    count = result;
  } else if (Array.isArray(result)) {
    count = result.length;
  } else if (fields !== undefined) {
    if (typeof fields.findings === 'number') {
      count = fields.findings;
    } else if (Array.isArray(fields.findings)) {
      count = fields.findings.length;
    } else if (typeof fields.count === 'number') {
      count = fields.count;
    } else if ('findings' in fields && fields.findings === null) {
      return 'the document was not checked (see "Electra LSP: Show Status")';
    }
  }
  if (count === undefined) {
    return undefined;
  }
  return count === 0 ? 'no possible mistakes found' : `${count} possible mistake${count === 1 ? '' : 's'}`;
}

/** What `electraLsp.fixAll` did ({applied, edits, unsure?, error?}), for the user; undefined if unknown. */
export function describeFixResult(result: unknown): { text: string; isError: boolean } | undefined {
  const fields = fieldsOf(result);
  if (fields === undefined || typeof fields.edits !== 'number') {
    return undefined;
  }
  const edits = fields.edits;
  if (typeof fields.error === 'string') {
    return { text: `fixing failed: ${fields.error}`, isError: true };
  }
  if (edits === 0) {
    const unsure = typeof fields.unsure === 'number' ? fields.unsure : 0;
    return unsure > 0
      ? { text: `no correction is sure enough to apply unasked; ${unsure} possible mistake${unsure === 1 ? '' : 's'} left for a quick fix`, isError: false }
      : { text: 'nothing to fix', isError: false };
  }
  const what = `${edits} correction${edits === 1 ? '' : 's'}`;
  return fields.applied === true
    ? { text: `applied ${what}`, isError: false }
    : { text: `${what} not applied (the document changed meanwhile?)`, isError: true };
}

/** Whether a command result is an LSP WorkspaceEdit (`changes` or `documentChanges`). */
export function isWorkspaceEdit(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return false;
  }
  const fields = value as Record<string, unknown>;
  const changes = fields.changes;
  const documentChanges = fields.documentChanges;
  return (
    (changes !== undefined && changes !== null && typeof changes === 'object') ||
    Array.isArray(documentChanges)
  );
}
