// How the API's handlers answer (internal to api*.cpp): JSON and text responses, the errors
// every handler shares, and the readers of query parameters.
#pragma once

#include "connectors/api.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <set>
#include <string>

namespace vocflow::connectors {

http_response json_response(unsigned status, const nlohmann::json& body);
http_response text_response(unsigned status, std::string body, std::string_view type);

// 400 with the body error's code, message and field.
http_response bad_body(const body_error& e);
// Engine rejections as HTTP: not possible now -> 409 (with what is), not allowed -> 403,
// semantically wrong -> 422, no such ticket -> 404.
http_response rejection_response(const rejection& r);
// 503: the store or the runtime cannot answer now.
http_response unavailable(std::string_view why);
// 503: the query pool is full.
http_response too_many_queries(const query_pool& pool);
// 400 naming a query parameter and what it must be.
http_response bad_parameter(std::string_view name, std::string_view must_be);

// The ticket id in the path; nullopt (and the 400 sent) when it is not one.
[[nodiscard]] std::optional<std::string> ticket_id_param(request& rq);
// A time parameter: `fallback` when not given, nullopt (and the 400 sent) when not a time.
[[nodiscard]] std::optional<time_point> time_param(request& rq, const std::string& name,
                                                   time_point fallback);
// The period [from, to) of a report: `to` defaults to just after `now`, `from` to 30 days
// before `to`; nullopt (and the 400 sent) when either is not a time or from is not before to.
struct period {
  time_point from, to;
};
[[nodiscard]] std::optional<period> period_params(request& rq, time_point now);
// Answers a report rendered as `format` asks: json as JSON, markdown and table as text.
// nullopt (and the 400 sent) for another format.
[[nodiscard]] std::optional<std::string> report_format(request& rq);
http_response rendered(const std::string& format, const nlohmann::json& as_json,
                       const std::function<std::string()>& as_text);
// A whole number in [lo, hi]; `fallback` when the text is empty, nullopt when it is not one.
[[nodiscard]] std::optional<int64_t> whole_number(const std::string& text, int64_t lo, int64_t hi,
                                                  int64_t fallback);
// A comma-separated list, each item `allowed`; nullopt (`bad`: the first item that is not)
// when one is not.
[[nodiscard]] std::optional<std::set<std::string>> list_of(
    const std::string& text, const std::function<bool(std::string_view)>& allowed,
    std::string& bad);

// Runs `job` on the query pool; when the pool is full, answers 503 instead.
void on_query_pool(const api_services& s, request& rq, std::function<void()> job);

}  // namespace vocflow::connectors
