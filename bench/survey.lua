-- wrk script of bench/survey.sh: every request a new anonymous response to the demo survey (towns and points vary).
local towns = {"城关镇", "东坝镇", "柳林乡", "石桥镇"}
local n = 0
request = function()
    n = n + 1
    local body = string.format(
        '{"town":"%s","answers":{"zhian":%d,"zhifa":%d,"fuwu":%d,"qudao":"B","xuqiu":["A","D"],"jianyi":"希望多开展法律进乡村活动 %d"}}',
        towns[n % #towns + 1], n % 5 + 1, (n + 2) % 5 + 1, (n + 4) % 5 + 1, n)
    return wrk.format("POST", "/api/surveys/2026-manyidu/responses", {["Content-Type"] = "application/json"}, body)
end
done = function(summary, latency, requests)
    io.write(string.format("non-2xx or errors: %d\n", summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
