// Running sweeps for real: locally (N processes at a time), resumed after a kill, through GNU parallel and
// the Slurm script, collected, and plotted.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/sweep/sweep_harness.hpp"

namespace fs = std::filesystem;

namespace {

int count_ok_rows(const std::string& csv) {
  int n = 0;
  for (const auto& l : lines_of(csv))
    if (l.find(",ok,") != std::string::npos) ++n;
  return n;
}

// Starts `sparsim ARGS...` in its own process group (so the test can kill it with all its children).
pid_t start_group(const std::vector<std::string>& args, const std::string& log) {
  const pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> argv;
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(SPARSIM_BINARY, argv.data());
    _exit(127);
  }
  setpgid(pid, pid);
  return pid;
}

}  // namespace

TEST_CASE("a local sweep writes one row per point, in point order, the same for any --jobs") {
  const std::string dir = temp_dir("sweep_local");
  const std::string sweep = small_sweep(dir, 4);
  const CliResult one = run_sparsim("sweep " + sweep + " --jobs 1 --out " + dir + "/one");
  INFO(one.out << one.err);
  REQUIRE(one.status == 0);
  const CliResult two = run_sparsim("sweep " + sweep + " --jobs 2 --progress --out " + dir + "/two");
  REQUIRE(two.status == 0);
  REQUIRE(two.err.find("[4/4]") != std::string::npos);  // the forced progress line
  REQUIRE(one.err.find("[4/4]") == std::string::npos);  // stderr is no terminal: no progress unless forced
  const std::string csv = slurp(dir + "/one/results.csv");
  REQUIRE(csv == slurp(dir + "/two/results.csv"));  // no wall clock, no completion order in results
  const auto rows = lines_of(csv);
  REQUIRE(rows.size() == 5);
  const auto header = split_csv_simple(rows[0]);
  REQUIRE(header[0] == "point");
  REQUIRE(header[3] == "workload.sparsity.m");
  const char* ms[] = {"2", "4", "8", "16"};
  for (int i = 0; i < 4; ++i) {
    const auto f = split_csv_simple(rows[i + 1]);
    REQUIRE(f[0] == std::to_string(i));
    REQUIRE(f[2] == "ok");
    REQUIRE(f[3] == ms[i]);
    REQUIRE(fs::is_regular_file(dir + "/one/points/" + f[1] + "/report.json"));
    REQUIRE(fs::is_regular_file(dir + "/one/points/" + f[1] + "/layers.csv"));
  }
  // Sparser patterns (larger M at N=1) must not be slower in the forward pass of this model; the values
  // themselves come from the reports, so a broken collect would show here.
  std::size_t col = 0;
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == "speedup_FF") col = i;
  REQUIRE(col > 0);
  REQUIRE(std::stod(split_csv_simple(rows[4])[col]) >= std::stod(split_csv_simple(rows[1])[col]));
  // A second run finds everything finished and runs nothing.
  const CliResult again = run_sparsim("sweep " + sweep + " --out " + dir + "/one");
  REQUIRE(again.status == 0);
  REQUIRE(again.out.find("4 already finished, 0 to run") != std::string::npos);
  REQUIRE(slurp(dir + "/one/results.csv") == csv);
}

TEST_CASE("a sweep killed mid-way (runner and running point) resumes without losing or duplicating points") {
  const std::string dir = temp_dir("sweep_kill");
  const int points = 6;
  const std::string sweep = small_sweep(dir, points, "detailed");
  const std::string out = dir + "/out";
  const pid_t pid = start_group({"sparsim", "sweep", sweep, "--jobs", "1", "--out", out}, dir + "/first.log");
  // Wait for the first finished point, then kill the runner and the point it is running.
  int finished = 0;
  for (int i = 0; i < 6000 && finished == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    finished = count_dirs(out + "/points");
  }
  kill(-pid, SIGKILL);
  int raw = 0;
  waitpid(pid, &raw, 0);
  finished = count_dirs(out + "/points");
  INFO(slurp(dir + "/first.log"));
  REQUIRE(finished >= 1);
  REQUIRE(finished < points);  // really interrupted mid-sweep
  REQUIRE_FALSE(fs::exists(out + "/results.csv"));
  // Remember a finished point's report, to check the re-run keeps it instead of redoing it.
  std::string kept;
  for (const auto& e : fs::directory_iterator(out + "/points"))
    if (e.is_directory() && e.path().filename().string()[0] != '.') kept = e.path().string() + "/report.json";
  const auto mtime_before = fs::last_write_time(kept);

  const CliResult again = run_sparsim("sweep " + sweep + " --jobs 2 --out " + out);
  INFO(again.out << again.err);
  REQUIRE(again.status == 0);
  REQUIRE(again.out.find(std::to_string(finished) + " already finished, " + std::to_string(points - finished) +
                         " to run") != std::string::npos);
  REQUIRE(fs::last_write_time(kept) == mtime_before);
  REQUIRE(count_dirs(out + "/points") == points);
  const std::string csv = slurp(out + "/results.csv");
  REQUIRE(count_ok_rows(csv) == points);
  REQUIRE(lines_of(csv).size() == points + 1);
  std::set<std::string> ids;
  for (std::size_t i = 1; i < lines_of(csv).size(); ++i) ids.insert(split_csv_simple(lines_of(csv)[i])[1]);
  REQUIRE(ids.size() == points);

  // Same results as a sweep that was never interrupted.
  const CliResult clean = run_sparsim("sweep " + sweep + " --jobs 2 --out " + dir + "/clean");
  REQUIRE(clean.status == 0);
  REQUIRE(slurp(dir + "/clean/results.csv") == csv);
}

TEST_CASE("emitted jobs run under GNU parallel and the Slurm script, and --collect merges them") {
  REQUIRE(std::system("command -v parallel >/dev/null") == 0);  // Debian package `parallel`
  const std::string dir = temp_dir("sweep_parallel");
  const std::string sweep = small_sweep(dir, 3, "fast", "baselines:\n  rows16: {accelerator.array.rows: 16}\n");
  const std::string out = dir + "/out";
  const CliResult emit = run_sparsim("sweep " + sweep + " --out " + out + " --emit-jobs " + dir + "/jobs.txt");
  INFO(emit.out << emit.err);
  REQUIRE(emit.status == 0);
  const auto jobs = lines_of(slurp(dir + "/jobs.txt"));
  REQUIRE(jobs.size() == 6);                  // 3 points + 3 baselines (each baseline differs in m)
  REQUIRE(count_dirs(out + "/points") == 0);  // emitting runs nothing

  // Collecting before anything ran: every row is there, marked missing; exit status says incomplete.
  const CliResult early = run_sparsim("sweep --collect " + out);
  REQUIRE(early.status == 1);
  REQUIRE(lines_of(slurp(out + "/results.csv")).size() == 4);
  REQUIRE(slurp(out + "/results.csv").find(",missing,") != std::string::npos);

  // The Slurm array script runs line SLURM_ARRAY_TASK_ID of the jobs file.
  REQUIRE(std::system(("SLURM_ARRAY_TASK_ID=1 bash " + dir + "/jobs.slurm").c_str()) == 0);
  REQUIRE(count_dirs(out + "/points") == 1);
  // GNU parallel runs the rest (the finished one is skipped by the point itself).
  const std::string cmd = "cd " + dir + " && parallel --will-cite --jobs 2 --halt now,fail=1 < jobs.txt";
  REQUIRE(std::system(cmd.c_str()) == 0);
  REQUIRE(count_dirs(out + "/points") == 6);
  const CliResult collected = run_sparsim("sweep --collect " + out);
  INFO(collected.out << collected.err);
  REQUIRE(collected.status == 0);
  const std::string csv = slurp(out + "/results.csv");
  REQUIRE(count_ok_rows(csv) == 3);
  REQUIRE(lines_of(csv)[0].find("speedup_vs_rows16") != std::string::npos);

  // The same sweep run locally gives the same file.
  REQUIRE(run_sparsim("sweep " + sweep + " --out " + dir + "/local").status == 0);
  REQUIRE(slurp(dir + "/local/results.csv") == csv);
}

TEST_CASE("the Slurm script quotes its directives and runs its line in the sweep directory") {
  // sbatch refuses an unquoted directive with a space ("Invalid directive found in batch script") and
  // expands %a, %j, ... anywhere in --output: a sweep directory with both must still work under Slurm
  // (tests/sweep/slurm_roundtrip.sh submits such a script to a real Slurm).
  const std::string dir = temp_dir("sweep_slurm_script");
  const std::string sweep = small_sweep(dir, 2);
  const std::string out = dir + "/my sweep %a";
  const CliResult emit = run_sparsim("sweep " + sweep + " --out '" + out + "' --emit-jobs " + dir + "/jobs.txt");
  INFO(emit.out << emit.err);
  REQUIRE(emit.status == 0);
  const std::string script = slurp(dir + "/jobs.slurm");
  INFO(script);
  REQUIRE(script.find("\n#SBATCH --output=\"" + dir + "/my sweep %%a/logs/slurm-%A_%a.out\"\n") != std::string::npos);
  REQUIRE(script.find("\n#SBATCH --array=1-2\n") != std::string::npos);
  // Every directive comes before the first command, or sbatch ignores it.
  const auto first_command = script.find("\nset -euo pipefail\n");
  REQUIRE(first_command != std::string::npos);
  REQUIRE(script.rfind("#SBATCH") < first_command);

  // Run as Slurm would (SLURM_ARRAY_TASK_ID set, started in another directory): line 2 runs, and the task
  // says where it ran on stdout (Slurm's output file).
  const std::string cmd = "cd / && SLURM_ARRAY_TASK_ID=2 bash " + dir + "/jobs.slurm >" + dir + "/task.out 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  REQUIRE(count_dirs(out + "/points") == 1);
  std::string finished;
  for (const auto& e : fs::directory_iterator(out + "/points"))
    if (e.path().filename().string()[0] != '.') finished = e.path().filename().string();
  const std::string second_line = lines_of(slurp(dir + "/jobs.txt"))[1];
  REQUIRE(second_line.find(" " + finished + " >") != std::string::npos);
  const std::string task = slurp(dir + "/task.out");
  REQUIRE(task.rfind("task 2 on ", 0) == 0);
  REQUIRE(task.find(" in " + out + ": " + second_line) != std::string::npos);

  // A directory name sbatch could not parse is refused before anything is emitted.
  const CliResult quote = run_sparsim("sweep " + sweep + " --out '" + dir + "/a\"b' --emit-jobs " + dir + "/q.txt");
  REQUIRE(quote.status == 2);
  REQUIRE(quote.err.find("#SBATCH") != std::string::npos);
  REQUIRE_FALSE(fs::exists(dir + "/q.txt"));
}

TEST_CASE("bad sweep input exits 2 with one line and writes nothing") {
  const std::string dir = temp_dir("sweep_bad");
  const std::string sweep = write_file(dir, "bad.yaml",
                                       "base: " + sat_base() +
                                           "\naxes:\n  - key: accelerator.array.rows\n"
                                           "    values: [8, -1]\n");
  const CliResult r = run_sparsim("sweep " + sweep + " --out " + dir + "/out");
  REQUIRE(r.status == 2);
  REQUIRE(lines_of(r.err).size() == 1);
  REQUIRE(r.err.find(sweep + ":3: accelerator.array.rows: point 1") != std::string::npos);
  REQUIRE_FALSE(fs::exists(dir + "/out"));
  REQUIRE(run_sparsim("sweep " + sweep + " --jobs 0").status == 2);
  REQUIRE(run_sparsim("sweep --collect " + dir + "/nothing").status == 2);
  REQUIRE(run_sparsim("sweep " + dir + "/missing.yaml").status == 2);
}

TEST_CASE("a failing point is reported, leaves no finished directory, and other points still finish") {
  const std::string dir = temp_dir("sweep_fail");
  // A layer name the network lacks passes config validation but fails when the point builds its workload.
  const std::string sweep = write_file(dir, "s.yaml",
                                       "base: " + sat_base() +
                                           "\nset: {workload.batch: 1}\naxes:\n"
                                           "  - key: workload.layers\n    values: [layer1.0.conv1, no_such_layer]\n");
  const CliResult r = run_sparsim("sweep " + sweep + " --jobs 2 --out " + dir + "/out");
  INFO(r.out << r.err);
  REQUIRE(r.status == 2);
  REQUIRE(r.err.find("FAILED (exit 2") != std::string::npos);
  REQUIRE(count_dirs(dir + "/out/points") == 1);
  const auto rows = lines_of(slurp(dir + "/out/results.csv"));
  REQUIRE(rows.size() == 3);
  REQUIRE(rows[1].find(",ok,") != std::string::npos);
  REQUIRE(rows[2].find(",missing,") != std::string::npos);
}

TEST_CASE("sparsim plot renders sweep curves and report figures as non-empty PNG and PDF files") {
  const std::string dir = temp_dir("sweep_plot");
  const std::string sweep = small_sweep(dir, 3);
  REQUIRE(run_sparsim("sweep " + sweep + " --out " + dir + "/out").status == 0);
  const CliResult curve = run_sparsim("plot " + dir + "/out/results.csv -o " + dir + "/curve");
  INFO(curve.out << curve.err);
  REQUIRE(curve.status == 0);
  for (const char* f : {"/curve.png", "/curve.pdf"}) {
    const std::string data = slurp(dir + f);
    REQUIRE(data.size() > 2000);
    REQUIRE(data.substr(0, 4) == (std::string(f).find("png") != std::string::npos ? "\x89PNG" : "%PDF"));
  }
  std::string report;
  for (const auto& e : fs::directory_iterator(dir + "/out/points"))
    if (e.is_directory() && e.path().filename().string()[0] != '.') report = e.path().string() + "/report.json";
  for (const char* kind : {"speedup", "energy", "heatmap"}) {
    const CliResult r = run_sparsim("plot " + report + " --kind " + kind + " -o " + dir + "/" + kind + ".png");
    REQUIRE(r.status == 0);
    REQUIRE(slurp(dir + "/" + kind + ".png").size() > 2000);
  }
  const CliResult bad = run_sparsim("plot " + report + " --kind curve");
  REQUIRE(bad.status == 2);
  REQUIRE(lines_of(bad.err).size() == 1);
}

TEST_CASE("extending a sweep reuses the points it already finished") {
  const std::string dir = temp_dir("sweep_extend");
  REQUIRE(run_sparsim("sweep " + small_sweep(dir, 2) + " --out " + dir + "/out").status == 0);
  const CliResult more = run_sparsim("sweep " + small_sweep(dir, 3) + " --out " + dir + "/out");
  INFO(more.out << more.err);
  REQUIRE(more.status == 0);
  REQUIRE(more.out.find("2 already finished, 1 to run") != std::string::npos);
  REQUIRE(lines_of(slurp(dir + "/out/results.csv")).size() == 4);
  const CliResult list = run_sparsim("sweep " + small_sweep(dir, 4) + " --out " + dir + "/out --list");
  REQUIRE(list.status == 0);
  const auto rows = lines_of(list.out);
  REQUIRE(rows.size() == 4);
  REQUIRE(rows[2].find(" finished workload.sparsity.m=8") != std::string::npos);
  REQUIRE(rows[3].find(" todo workload.sparsity.m=16") != std::string::npos);
}

TEST_CASE("sweep --format table|csv|json: a point table for people, the results alone for programs") {
  const std::string dir = temp_dir("sweep_format");
  const std::string sweep = small_sweep(dir, 3);
  const std::string out = dir + "/out";
  const CliResult table = run_sparsim("sweep " + sweep + " --jobs 2 --out " + out);
  INFO(table.out << table.err);
  REQUIRE(table.status == 0);
  // The default table: a line per point with its swept value, status and speedups, within 120 columns.
  const auto tl = lines_of(table.out);
  const auto head = std::find_if(tl.begin(), tl.end(), [](const std::string& l) { return l.rfind("point", 0) == 0; });
  REQUIRE(head != tl.end());
  for (const char* h : {"m", "status", "speedup", "energy gain", "ideal", "cycles"})
    CHECK(head->find(h) != std::string::npos);
  REQUIRE(tl.end() - head >= 4);
  CHECK(head[1].substr(head[1].find_first_not_of(' '), 4) == "0  2");  // point 0 is M = 2
  CHECK(head[1].find("ok") != std::string::npos);
  CHECK(head[3].substr(head[3].find_first_not_of(' '), 4) == "2  8");
  for (const auto& l : tl) CHECK(l.size() <= 120);
  CHECK(table.out.find("results: " + out + "/results.csv (3 of 3 points finished)") != std::string::npos);
  const std::string file = slurp(out + "/results.csv");

  // csv: stdout is the results.csv text and nothing else; the lines for people went to stderr.
  const CliResult csv = run_sparsim("sweep " + sweep + " --format csv --out " + out);
  REQUIRE(csv.status == 0);
  CHECK(csv.out == file);
  CHECK(csv.err.find("3 already finished") != std::string::npos);
  CHECK(csv.err.find("results: ") != std::string::npos);
  CHECK(run_sparsim("sweep --collect " + out + " --format=csv").out == file);

  // json: one document; numbers are numbers, and they are the reports'.
  const CliResult js = run_sparsim("sweep --collect " + out + " --format json");
  REQUIRE(js.status == 0);
  const auto doc = nlohmann::json::parse(js.out);  // throws (fails the test) if anything else is on stdout
  CHECK(doc["sweep"] == "test-sweep");
  CHECK(doc["points"] == 3);
  CHECK(doc["finished"] == 3);
  CHECK(doc["results_csv"] == out + "/results.csv");
  CHECK(doc["axes"][0]["key"] == "workload.sparsity.m");
  REQUIRE(doc["rows"].size() == 3);
  const auto& row = doc["rows"][2];
  CHECK(row["point"] == 2);
  CHECK(row["workload.sparsity.m"] == 8);
  CHECK(row["status"] == "ok");
  CHECK(row["run"].is_string());
  const auto report = nlohmann::json::parse(slurp(out + "/points/" + row["run"].get<std::string>() + "/report.json"));
  CHECK(row["speedup_step"].get<double>() == Approx(report["summary"]["speedup"]["step"].get<double>()));
  CHECK(row["cycles"] == report["summary"]["variants"]["sparse"]["cycles"]);
  // The model's ideal bound (pruned MACs only) is a results column: what the N:M figures draw dashed.
  CHECK(row["ideal_speedup_step"].get<double>() == Approx(report["extra"]["ideal_speedup_bound"].get<double>()));
  CHECK(row["ideal_speedup_step"].get<double>() >= row["speedup_step"].get<double>());

  CHECK(run_sparsim("sweep " + sweep + " --format xml --out " + out).status == 2);
  CHECK(run_sparsim("sweep " + sweep + " --list --format csv --out " + out).status == 2);
  const CliResult help = run_sparsim("sweep --help");
  CHECK(help.out.find("--format table|csv|json") != std::string::npos);
}
