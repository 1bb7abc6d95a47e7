import { clsx, type ClassValue } from "clsx";

/** Joins class names (clsx); later classes are appended, not merged. */
export function cn(...inputs: ClassValue[]): string {
  return clsx(inputs);
}
