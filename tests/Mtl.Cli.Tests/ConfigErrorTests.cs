// One test per kind of config mistake, asserting the exact message `mtl train` prints and its exit code 2.
namespace Mtl.Cli.Tests;

public class ConfigErrorTests
{
    // The user's view: `mtl train CONFIG [--set ...]` prints one line on stderr and exits with 2, before any data is read.
    private static void AssertError(string expected, params string[] args)
    {
        var r = CliRun.Mtl(["train", .. args, "--out", CliRun.TempDir()]);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("error: " + expected, r.Err.TrimEnd());
        Assert.Equal("", r.Out);
    }

    [Fact]
    public void Unknown_key_names_file_line_column_and_the_allowed_keys()
    {
        var path = CliRun.WriteConfig("""
            name: bad
            data:
              name: multifashion
            architecture: hard
            strategy: ew
            optimizer:
              name: sgd
              lr_rate: 0.1
            """);
        AssertError($"{path}:8:3: unknown key 'lr_rate' in 'optimizer'; allowed: name, lr, weight_decay, maximize, momentum, dampening, nesterov", path);
    }

    [Fact]
    public void Unknown_top_level_section_lists_the_sections()
    {
        var path = CliRun.WriteConfig("data: multifashion\nmodel: hard\n");
        AssertError($"{path}:2:1: unknown key 'model' at the top level; allowed: name, seed, baselines, fallback, data, tasks, trunk, architecture, strategy, optimizer, schedule, transfer, distill, trainer", path);
    }

    [Fact]
    public void Unknown_option_of_an_architecture_lists_that_architectures_options()
    {
        var path = CliRun.WriteConfig("data: multifashion\narchitecture:\n  name: mmoe\n  experts: 4\n");
        AssertError($"{path}:4:3: unknown key 'experts' in 'architecture'; allowed: name, num_experts, expert_width", path);
    }

    [Fact]
    public void Wrong_type_names_the_key_the_expected_type_and_the_value()
    {
        var path = CliRun.WriteConfig("data: multifashion\noptimizer:\n  name: sgd\n  lr: fast\n");
        AssertError($"{path}:4:7: 'optimizer.lr' must be a number, got 'fast'", path);
        var flag = CliRun.WriteConfig("data: multifashion\ntrainer:\n  restore_best: maybe\n");
        AssertError($"{flag}:3:17: 'trainer.restore_best' must be true or false, got 'maybe'", flag);
        var list = CliRun.WriteConfig("data: multifashion\ntasks:\n  top_left:\n    head: 64\n");
        AssertError($"{list}:4:11: 'tasks.top_left.head' must be a list of integers such as [1, 2], got '64'", list);
        var choice = CliRun.WriteConfig("data: multifashion\narchitecture:\n  name: soft\n  penalty: l1\n");
        AssertError($"{choice}:4:12: 'architecture.penalty' must be one of l2, trace_norm, orthogonality; got 'l1'", choice);
    }

    [Fact]
    public void Unknown_architecture_lists_the_registered_ones()
    {
        var path = CliRun.WriteConfig("data: multifashion\narchitecture: mmeo\n");
        var names = string.Join(", ", Mtl.MultiTask.Architectures.ArchitectureRegistry.All.Select(a => a.Name));
        AssertError($"{path}:2:15: unknown architecture 'mmeo' in 'architecture.name'; allowed: {names}", path);
    }

    [Fact]
    public void Unknown_strategy_lists_the_registered_ones()
    {
        var path = CliRun.WriteConfig("data: multifashion\nstrategy:\n  name: pcgrd\n");
        var names = string.Join(", ", Mtl.MultiTask.Balancing.StrategyRegistry.All.Select(s => s.Name));
        AssertError($"{path}:3:9: unknown strategy 'pcgrd' in 'strategy.name'; allowed: {names}", path);
    }

    [Fact]
    public void Unknown_dataset_lists_the_datasets()
    {
        var path = CliRun.WriteConfig("data:\n  name: multifashon\n");
        AssertError($"{path}:2:9: unknown dataset 'multifashon' in 'data.name'; allowed: multifashion, multimnist, synthetic, synthetic-text, text", path);
    }

    [Fact]
    public void Missing_required_value_names_the_section_and_the_choices()
    {
        var noName = CliRun.WriteConfig("data:\n  source: sample\n");
        AssertError($"{noName}:2:3: missing key 'name' in 'data'; allowed: multifashion, multimnist, synthetic, synthetic-text, text", noName);
        var noData = CliRun.WriteConfig("architecture: hard\n");
        AssertError($"{noData}:1:1: missing section 'data' (what to train on); allowed: multifashion, multimnist, synthetic, synthetic-text, text", noData);
    }

    [Fact]
    public void Bad_set_override_names_the_override()
    {
        AssertError("--set optimizer.lr_rate=0.1: unknown key 'lr_rate' in 'optimizer'; allowed: name, lr, weight_decay, maximize, momentum, dampening, nesterov",
            "--set", "optimizer.lr_rate=0.1");
        AssertError("--set trainer.epochs=many: 'trainer.epochs' must be an integer, got 'many'", "--set", "trainer.epochs=many");
        AssertError("--set foo.bar=1: unknown key 'foo' at the top level; allowed: name, seed, baselines, fallback, data, tasks, trunk, architecture, strategy, optimizer, schedule, transfer, distill, trainer",
            "--set", "foo.bar=1");
        AssertError("--set lr: expected KEY.PATH=VALUE, e.g. --set optimizer.lr=0.01", "--set", "lr");
        AssertError("--set seed.value=1: 'seed' holds '0', not a mapping, so it has no key 'value'", "--set", "seed.value=1");
        AssertError("--set architecture.name=nope: unknown architecture 'nope' in 'architecture.name'; allowed: "
            + string.Join(", ", Mtl.MultiTask.Architectures.ArchitectureRegistry.All.Select(a => a.Name)), "--set", "architecture.name=nope");
    }

    [Fact]
    public void Missing_file_is_named()
    {
        var path = Path.Combine(CliRun.TempDir(), "nope.yaml");
        AssertError($"config file not found: {path}", path);
    }

    [Fact]
    public void Unknown_task_lists_the_datasets_tasks()
    {
        var path = CliRun.WriteConfig("data: multifashion\ntasks:\n  topleft: {weight: 2}\n");
        AssertError($"{path}:3:3: unknown task 'topleft' in 'tasks'; dataset 'multifashion' has: top_left, bottom_right", path);
    }

    [Fact]
    public void Task_weight_with_a_strategy_that_sets_weights_is_refused()
    {
        var path = CliRun.WriteConfig("data: multifashion\ntasks:\n  top_left: {weight: 2}\nstrategy: pcgrad\n");
        AssertError($"{path}:3:22: 'tasks.top_left.weight' applies with strategy 'ew' only; strategy 'pcgrad' chooses the weights (for fixed weights use strategy 'static' with weights: [...])", path);
    }

    [Fact]
    public void Yaml_syntax_error_has_a_place()
    {
        var path = CliRun.WriteConfig("data: multifashion\ndata: synthetic\n");
        AssertError($"{path}:2:1: not valid YAML: Duplicate key data", path);
    }

    [Fact]
    public void Mistakes_found_while_building_point_at_their_section()
    {
        var trunk = CliRun.WriteConfig("data: synthetic\ntrunk: lenet\n");
        AssertError($"{trunk}:2:8: trunk 'lenet': reads Float32 (1, 28, 28) images; the data gives Float32 (20) — use mlp (features) or text (token ids)", trunk);
        var experts = CliRun.WriteConfig("data: multifashion\narchitecture:\n  name: mmoe\n  num_experts: 0\n");
        AssertError($"{experts}:3:3: architecture 'mmoe': Mmoe: NumExperts (0) and ExpertWidth (16) must be positive", experts);
        var nesterov = CliRun.WriteConfig("data: multifashion\noptimizer: {name: sgd, nesterov: true}\n");
        AssertError($"{nesterov}:2:12: optimizer 'sgd': SGD: Nesterov momentum requires a momentum > 0 and zero dampening (momentum=0, dampening=0)", nesterov);
    }

    [Fact]
    public void Run_name_must_be_usable_as_a_folder_name()
    {
        var path = CliRun.WriteConfig("name: my/run\ndata: multifashion\n");
        AssertError($"{path}:1:7: 'name' names the run folder: use letters, digits, '-', '_' and '.', got 'my/run'", path);
    }

    [Fact]
    public void A_config_mistake_leaves_no_run_folder()
    {
        var output = CliRun.TempDir();
        var path = CliRun.WriteConfig("data: multifashion\narchitecture: {name: mmoe, num_experts: 0}\n");
        Assert.Equal(2, CliRun.Mtl("train", path, "--out", output).ExitCode);
        Assert.Empty(Directory.GetFileSystemEntries(output));
    }
}
