export * from './lib/jupiterone';
