export * from './framework-error.js'
