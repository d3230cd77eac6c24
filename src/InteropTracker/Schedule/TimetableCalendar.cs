using System.Text;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using InteropTracker.Core;

namespace InteropTracker.Schedule;

/// <summary>The timetable as an iCalendar file (RFC 5545): one event per session, in UTC, with the cells to run in order.</summary>
public static class TimetableCalendar
{
    public static string Write(Timetable timetable, EventPlanning planning, string? product)
    {
        var calendar = new Calendar { ProductId = "-//InteropTracker//Timetable//EN" };
        calendar.AddProperty("X-WR-CALNAME", product is null
            ? $"{planning.Event.Name}: timetable"
            : $"{planning.Event.Name}: {Name(planning, product)}");
        foreach (var session in timetable.Sessions.Where(s => product is null || s.Involves(product)))
        {
            var title = product is null
                ? $"{Name(planning, session.A)} × {Name(planning, session.B)}"
                : $"Interop with {Name(planning, session.Partner(product))}";
            var description = new StringBuilder()
                .AppendLine($"{planning.Event.Name}, slot {session.Slot}, {session.Table}: {session.A} × {session.B}" +
                            (session.Parts > 1 ? $", session {session.Part} of {session.Parts}" : "") + ".")
                .AppendLine($"{session.Cells.Count} cells, mandatory first:");
            foreach (var cell in session.Cells)
                description.AppendLine($"{cell.Plan} {cell.Case} ({cell.Priority}) {cell.Initiator} → {cell.Responder}: {cell.Title}");
            calendar.Events.Add(new CalendarEvent
            {
                Uid = $"{planning.Event.Key}/{session.Start.UtcDateTime:yyyyMMddTHHmmss}/{session.Table}@interoptracker",
                Summary = title,
                Location = session.Table,
                Description = description.ToString(),
                Start = new CalDateTime(session.Start.UtcDateTime),
                End = new CalDateTime(session.End.UtcDateTime),
                DtStamp = new CalDateTime(timetable.BuiltAt.UtcDateTime),
            });
        }
        return new CalendarSerializer().SerializeToString(calendar) ?? "";
    }

    private static string Name(EventPlanning planning, string product) =>
        planning.FindParticipant(product) is { } p ? $"{p.Name} {p.Version} ({p.OrganizationName})".Replace("  ", " ") : product;
}
