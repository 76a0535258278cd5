# greenwave engine: Node 20, production dependencies, `greenwave serve`.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY sim ./sim
COPY fixtures ./fixtures
COPY tsconfig.json ./
ENV NODE_ENV=production PORT=8080 HOST=0.0.0.0 GREENWAVE_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8080
CMD ["node", "bin/greenwave.js", "serve"]
