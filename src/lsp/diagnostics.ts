// Converts the assembler's diagnostics (1-based lines, 0-based UTF-16 columns) to LSP diagnostics.
import { Diagnostic, DiagnosticSeverity } from 'vscode-languageserver';
import { Analysis } from './analysis';

export function diagnostics(a: Analysis): Diagnostic[] {
  return a.asm.diagnostics.map((d) => ({
    severity: d.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    range: {
      start: { line: Math.max(0, d.line - 1), character: Math.max(0, d.column) },
      end: { line: Math.max(0, d.endLine - 1), character: Math.max(0, d.endColumn) },
    },
    message: d.message,
    source: 'lockstep-asm',
  }));
}
