export { GUEST, authenticate, type Principal } from './authenticate.js'
