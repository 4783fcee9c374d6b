export const BASE_PATH = '/builder';
