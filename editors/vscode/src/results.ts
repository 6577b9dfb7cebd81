// Interpreting what the server's commands return. Pure: no `vscode` import.

/** A short summary of `electraLsp.checkDocument`'s result, or undefined when it says nothing. */
export function describeCheckResult(result: unknown): string | undefined {
  let count: number | undefined;
  if (typeof result === 'number') {
    count = result;
  } else if (Array.isArray(result)) {
    count = result.length;
  } else if (result !== null && typeof result === 'object') {
    const fields = result as Record<string, unknown>;
    if (typeof fields.count === 'number') {
      count = fields.count;
    } else if (Array.isArray(fields.findings)) {
      count = fields.findings.length;
    } else if (Array.isArray(fields.diagnostics)) {
      count = fields.diagnostics.length;
    }
  }
  if (count === undefined) {
    return undefined;
  }
  return count === 0 ? 'no possible mistakes found' : `${count} possible mistake${count === 1 ? '' : 's'}`;
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
