// The popchain release, printed by every program's --version (kept equal to package.json by the build).
export const VERSION = '0.1.0'
