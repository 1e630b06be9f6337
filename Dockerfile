# A minimal image of the proxy: `docker build -t flowform .` (README: Several instances).
FROM node:20-slim
WORKDIR /app
# better-sqlite3 ships prebuilt binaries for this platform; no compiler is needed.
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
# The widget bundle and the compiled server; then only the packages the server needs at run time.
RUN npm run build && npm prune --omit=dev
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8787 FLOWFORM_DATA_DIR=/data
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 8787
# Exec form: the process gets SIGTERM itself and stops cleanly (signups in progress are answered).
CMD ["node", "bin/flowform.js", "serve"]
