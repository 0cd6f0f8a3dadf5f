// The guided tour's parser and runner live beside the playground (src/playground/tour.ts),
// which serves the steps as examples; tests import them from here.
export * from '../../src/playground/tour.js';
