export type { Column, ColumnType, ProjectedEvent, ReadModel } from './read-model.js';
