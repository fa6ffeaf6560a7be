-- wrk script: POST one web feedback per request (no idempotency key: every request is a new case).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"text":"Cống thoát nước đầu ngõ 12 Hàng Bạc bị tắc, mưa xuống là nước tràn vào nhà dân. Đề nghị phường cho người kiểm tra và nạo vét sớm.","commune_code":"00070","name":"Nguyễn Văn An"}'

function done(summary, latency, requests)
  local non2xx = summary.errors.status
  local socket = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT requests=%d non2xx=%d socket_errors=%d duration_us=%d p50_us=%d p99_us=%d\n",
    summary.requests, non2xx, socket, summary.duration,
    latency:percentile(50), latency:percentile(99)))
end
