/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  // Integration suites start six servers and two databases; a wait that long means a hang.
  testTimeout: 60000,
  setupFiles: ['<rootDir>/test/helpers/environment.ts'],
};
