// Build-time constants Vite substitutes (host/web/vite.config.ts `define`).
declare const __RBAC_GUARD_VERSION__: string;
