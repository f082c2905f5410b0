// Types for unix-crypt-td-js, which ships none: DES crypt(3) of a password's bytes with a two-character salt.
declare module 'unix-crypt-td-js' {
  const unixCryptTD: (pw: string | number[], salt: string) => string
  export default unixCryptTD
}
