// Discriminative learning rates: optimiser parameter groups built from (name pattern → lr multiplier) rules.
using Mtl.NN.Optim;

namespace Mtl.NN.Transfer;

/// <summary>One rule of <see cref="DiscriminativeLr"/>: parameters matching <paramref name="Pattern"/> train at base lr × <paramref name="Multiplier"/>.</summary>
/// <param name="Pattern">A glob or <c>re:</c> pattern over parameter names (see <see cref="NamePattern"/>).</param>
/// <param name="Multiplier">The factor applied to the base learning rate (finite, ≥ 0).</param>
public sealed record LrRule(string Pattern, double Multiplier);

/// <summary>One parameter group built by <see cref="DiscriminativeLr.Plan"/>: the rule it came from, its lr, its parameters' names.</summary>
/// <param name="Rule">The rule's pattern, or <c>(default)</c> for the parameters no rule matched.</param>
/// <param name="Lr">The group's learning rate (base lr × multiplier).</param>
/// <param name="Names">The parameters' names, in parameter order.</param>
/// <param name="Group">The group to hand to an optimiser.</param>
public sealed record LrGroup(string Rule, double Lr, IReadOnlyList<string> Names, ParamGroup Group);

/// <summary>
/// Builds optimiser parameter groups with their own learning rates from rules, as in ULMFiT's discriminative
/// fine-tuning (Howard &amp; Ruder 2018): each TRAINABLE parameter (frozen ones are left out) goes to the first rule
/// whose pattern matches its name; those no rule matches form a default group at base lr × the default multiplier.
/// Every trainable parameter is in exactly one group; a rule matching no trainable parameter is an error. Works with
/// every optimiser, as the groups only set <see cref="ParamGroup.Lr"/>:
/// <code>
/// var groups = DiscriminativeLr.ParamGroups(model, 1e-3, [new LrRule("encoder.*", 0.1)]);   // heads at 1e-3
/// var opt = new Adam(groups, new AdamOptions { Lr = 1e-3 });
/// </code>
/// A parameter unfrozen later is in no group: add it with <see cref="Optimizer.AddParamGroup"/>.
/// </summary>
public static class DiscriminativeLr
{
    /// <summary>The name of the group of parameters no rule matched.</summary>
    public const string DefaultRule = "(default)";

    /// <summary>The groups with their names, in rule order, then the default group (omitted when empty).</summary>
    public static IReadOnlyList<LrGroup> Plan(Module model, double baseLr, IEnumerable<LrRule> rules, double defaultMultiplier = 1.0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(rules);
        var list = rules.ToList();
        CheckLr(baseLr, "base learning rate");
        CheckLr(defaultMultiplier, "default multiplier");
        var patterns = list.Select(r =>
        {
            ArgumentNullException.ThrowIfNull(r);
            CheckLr(r.Multiplier, $"multiplier of rule '{r.Pattern}'");
            return NamePattern.Parse(r.Pattern);
        }).ToArray();

        var names = new List<string>[list.Count + 1];
        var tensors = new List<Tensor>[list.Count + 1];
        for (int i = 0; i <= list.Count; i++) (names[i], tensors[i]) = ([], []);
        foreach (var (name, p) in model.NamedParameters())
        {
            if (!p.RequiresGrad) continue;
            int i = Array.FindIndex(patterns, x => x.IsMatch(name));
            if (i < 0) i = list.Count;
            names[i].Add(name);
            tensors[i].Add(p);
        }
        var empty = Enumerable.Range(0, list.Count).Where(i => names[i].Count == 0).Select(i => $"'{list[i].Pattern}'").ToList();
        if (empty.Count > 0)
            throw new ArgumentException($"DiscriminativeLr on {model.GetType().Name}: rule {string.Join(", ", empty)} matches no trainable parameter (an earlier rule may have taken them, or they are frozen)");

        var groups = new List<LrGroup>();
        for (int i = 0; i <= list.Count; i++)
        {
            if (names[i].Count == 0) continue;
            double lr = baseLr * (i < list.Count ? list[i].Multiplier : defaultMultiplier);
            groups.Add(new LrGroup(i < list.Count ? list[i].Pattern : DefaultRule, lr, names[i], new ParamGroup(tensors[i]) { Lr = lr }));
        }
        if (groups.Count == 0) throw new ArgumentException($"DiscriminativeLr on {model.GetType().Name}: the model has no trainable parameter");
        return groups;
    }

    /// <summary>The parameter groups of <see cref="Plan"/>, ready for an optimiser's constructor.</summary>
    public static IReadOnlyList<ParamGroup> ParamGroups(Module model, double baseLr, IEnumerable<LrRule> rules, double defaultMultiplier = 1.0) =>
        Plan(model, baseLr, rules, defaultMultiplier).Select(g => g.Group).ToList();

    private static void CheckLr(double value, string what)
    {
        if (!(value >= 0) || double.IsInfinity(value))
            throw new ArgumentException($"DiscriminativeLr: the {what} must be finite and >= 0, got {value}");
    }
}
