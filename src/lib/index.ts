export function hello(): string { return "hi from lib " + process.cwd(); }
