// reflect-metadata must load before any decorated class is evaluated (tsyringe reads it).
import 'reflect-metadata';

console.log('jumpcloud-graph');
