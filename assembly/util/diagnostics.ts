// Warnings collected while a snapshot is built. Codes are SCREAMING_SNAKE and stable; messages follow
// the style guide (lowercase, no final period, user input in backticks).

export class Diagnostic {
  constructor(public code: string, public message: string, public object: i32, public path: string) {}
}

export class Diagnostics {
  items: Diagnostic[] = [];
  warn(code: string, message: string, object: i32, path: string): void {
    this.items.push(new Diagnostic(code, message, object, path));
  }
}
