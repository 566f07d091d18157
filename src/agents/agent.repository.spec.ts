import { escapeLike } from './agent.repository.js';

describe('escapeLike', () => {
  it.each([
    ['desk', 'desk'],
    ['50%', '50\\%'],
    ['a_b', 'a\\_b'],
    ['back\\slash', 'back\\\\slash'],
    ['%_\\', '\\%\\_\\\\'],
  ])('makes %j match literally', (text, escaped) => {
    expect(escapeLike(text)).toBe(escaped);
  });
});
